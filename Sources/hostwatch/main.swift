Hostwatch.main(Array(CommandLine.arguments.dropFirst()))
