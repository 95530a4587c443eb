import Foundation
import Testing

/// The debug `dnb` that `swift build` made, found from this file's place in the package.
enum DnbBinary {
    /// `<package>/.build/debug/dnb`.
    static let path = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/dnb").path

    /// The binary's path; records a failure saying how to build it when it is missing.
    static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            Issue.record(
                "\(path) is missing: build it first (swift build --build-tests)", sourceLocation: sourceLocation)
            throw Missing(what: path)
        }
        return path
    }

    struct Missing: Error {
        var what: String
    }
}
