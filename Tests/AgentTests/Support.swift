import Foundation
import Testing

/// The repository root, found from this file's path (Tests/AgentTests/Support.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The `hostwatch` binary that `swift test` built next to the test bundle.
let hostwatchBinary: URL = {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("hostwatch")
    if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
    return repositoryRoot.appendingPathComponent(".build/debug/hostwatch")
}()

struct ProcessResult {
    var status: Int32
    var stdout: Data
    var stderr: String

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }

    /// stdout parsed as JSON lines.
    func jsonLines() throws -> [[String: Any]] {
        try stdoutText.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return try #require(object as? [String: Any], "not a JSON object: \(line)")
        }
    }
}

/// Runs the real binary as a child process, as a user would.
func runHostwatch(_ arguments: [String], stdin: Data? = nil, in directory: URL? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = hostwatchBinary
    process.arguments = arguments
    process.environment = ["TZ": "UTC", "PATH": "/usr/bin:/bin"]
    if let directory { process.currentDirectoryURL = directory }
    // Output goes to files, not pipes, so a large output can never block the child.
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let outURL = dir.appendingPathComponent("stdout")
    let errURL = dir.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)
    process.standardOutput = out
    process.standardError = err
    if let stdin {
        let inURL = dir.appendingPathComponent("stdin")
        try stdin.write(to: inURL)
        process.standardInput = try FileHandle(forReadingFrom: inURL)
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    return ProcessResult(
        status: process.terminationStatus, stdout: try Data(contentsOf: outURL),
        stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

/// A fresh directory under the system temp dir, removed by the caller's `defer`.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("hostwatch-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Compresses `file` with the real gzip, keeping the original; returns the `.gz` path.
func gzip(_ file: URL) throws -> URL {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
    process.arguments = ["-k", "-f", file.path]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return URL(fileURLWithPath: file.path + ".gz")
}
