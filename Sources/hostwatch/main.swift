await Hostwatch.main(Array(CommandLine.arguments.dropFirst()))
