// Running a program as a child and measuring it from outside, through
// HostIO's one process runner: wall time and the child's own peak RSS
// (`wait4`'s rusage, the figure `/usr/bin/time -v` prints as "Maximum
// resident set size").

import Foundation
import HostIO

/// Runs `arguments` (the first is the program's path), with stdout sent to
/// `stdoutPath` when given (else relayed), and waits for it.
func runChild(_ arguments: [String], stdoutPath: String? = nil) throws -> ProcessResult {
    let result = try runProcess(ProcessRequest(arguments[0], Array(arguments.dropFirst()), outputPath: stdoutPath))
    FileHandle.standardOutput.write(Data(result.standardOutput))
    FileHandle.standardError.write(Data(result.standardError))
    return result
}

/// This executable's own path (/proc/self/exe).
func executablePath() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard length > 0 else { return CommandLine.arguments[0] }
    return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
