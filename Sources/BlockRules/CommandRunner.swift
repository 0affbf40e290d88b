#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a validator or reload command ended.
public struct CommandResult: Sendable, Equatable {
    /// The exit status, or `nil` when it was killed by a signal or timed out.
    public var exitStatus: Int32?
    public var timedOut: Bool
    /// Its standard output and error together (the last 8 KiB).
    public var output: String

    public var succeeded: Bool { exitStatus == 0 }

    /// `exit 1: <output>`, for messages.
    public var summary: String {
        let how = timedOut ? "timed out" : exitStatus.map { "exit \($0)" } ?? "killed by a signal"
        let text = output.split(separator: "\n").suffix(6).joined(separator: " | ")
        return text.isEmpty ? how : "\(how): \(text)"
    }
}

/// Runs configured commands (validators, reloads) directly, without a shell, so no name or
/// path is ever interpreted as shell syntax.
public enum CommandRunner {
    /// Runs `argv` with its output captured; kills it (and waits) after `timeout` seconds.
    public static func run(_ argv: [String], timeout: Double = 60) -> CommandResult {
        guard let program = argv.first else { return CommandResult(exitStatus: 127, timedOut: false, output: "empty command") }
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else {
            return CommandResult(exitStatus: 127, timedOut: false, output: "pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
        posix_spawn_file_actions_addclose(&actions, pipeFDs[1])

        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { for arg in cArgs { free(arg) } }
        let status = posix_spawnp(&pid, program, &actions, nil, cArgs, environ)
        close(pipeFDs[1])
        guard status == 0 else {
            close(pipeFDs[0])
            return CommandResult(exitStatus: 127, timedOut: false, output: "cannot run \(program): \(String(cString: strerror(status)))")
        }

        var output: [UInt8] = []
        var timedOut = false
        var waitStatus: Int32 = 0
        var reaped = false
        var pipeOpen = true
        let deadline = monotonicSeconds() + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        // Read until the command exits (a daemon it started may keep the pipe open for ever).
        while !reaped {
            if monotonicSeconds() >= deadline {
                timedOut = true
                kill(pid, SIGKILL)
                break
            }
            var poller = pollfd(fd: pipeOpen ? pipeFDs[0] : -1, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, 50) > 0 {
                let n = buffer.withUnsafeMutableBytes { read(pipeFDs[0], $0.baseAddress, $0.count) }
                if n > 0 {
                    output.append(contentsOf: buffer[0..<n])
                    if output.count > 16384 { output.removeFirst(output.count - 8192) }
                    continue
                }
                if n == 0 { pipeOpen = false }
            }
            reaped = waitpid(pid, &waitStatus, WNOHANG) == pid
        }
        // What the command wrote just before it exited.
        _ = fcntl(pipeFDs[0], F_SETFL, O_NONBLOCK)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(pipeFDs[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            output.append(contentsOf: buffer[0..<n])
        }
        close(pipeFDs[0])
        if !reaped { while waitpid(pid, &waitStatus, 0) < 0, errno == EINTR {} }
        let exited = waitStatus & 0x7F == 0
        return CommandResult(
            exitStatus: exited && !timedOut ? (waitStatus >> 8) & 0xFF : nil, timedOut: timedOut,
            output: String(decoding: output.suffix(8192), as: UTF8.self))
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
