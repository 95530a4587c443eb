// Reviewed snapshots of emitted scripts, under Snapshots/ next to this file.
//
// To regenerate after an intended change:
//
//     DNB_UPDATE_SNAPSHOTS=1 swift test --filter PlottingTests
//
// then render each changed script (`gnuplot Tests/PlottingTests/Snapshots/NAME.gp`
// writes NAME.png beside it; the PNGs are not checked in), look at it, and
// review the diff before committing.

import Foundation
import Testing

enum Snapshot {
    /// The folder holding the snapshot files.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Snapshots")

    /// Whether this run rewrites the snapshots instead of comparing.
    static let updating = ProcessInfo.processInfo.environment["DNB_UPDATE_SNAPSHOTS"] == "1"

    /// Expects `text` to equal the snapshot `file`, or writes it when updating.
    static func check(_ text: String, file: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(file)
        if updating {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing snapshot \(url.path); run with DNB_UPDATE_SNAPSHOTS=1", sourceLocation: sourceLocation)
            return
        }
        if text != expected {
            let actual = text.split(separator: "\n", omittingEmptySubsequences: false)
            let wanted = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line =
                zip(actual, wanted).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(actual.count, wanted.count)
            let got = line < actual.count ? String(actual[line]) : "<end>"
            let want = line < wanted.count ? String(wanted[line]) : "<end>"
            Issue.record(
                "\(file) differs at line \(line + 1):\n  got:      \(got)\n  expected: \(want)\n(DNB_UPDATE_SNAPSHOTS=1 regenerates)",
                sourceLocation: sourceLocation)
        }
    }
}
