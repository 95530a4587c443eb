import Foundation
import Testing

@testable import FuzzTargets

/// Replays, without sanitizers, every seed of the fuzzing corpora
/// (Fuzz/Corpus/<harness>/) and every finding kept as a regression input
/// (Tests/Fixtures/fuzz/<harness>/) through the same harness `make fuzz`
/// runs. Each must come back with an outcome (no crash); the valid seeds
/// must be accepted, and the findings must be refused with the message a
/// user gets.
@Suite struct ReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// (harness, file name, bytes) of every file under `folder`/<harness>/.
    static func inputs(under folder: String) -> [(String, String, [UInt8])] {
        let base = root.appendingPathComponent(folder)
        var result: [(String, String, [UInt8])] = []
        for target in FuzzTargets.all {
            let directory = base.appendingPathComponent(target.name)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) ?? Data()
                result.append((target.name, name, Array(data)))
            }
        }
        return result
    }

    /// Seeds that are valid inputs (the others are deep or large on purpose;
    /// model-json's header has no tensor data after it, so it ends "truncated").
    static let validSeeds: Set<String> = [
        "idx/images", "idx/labels", "idx/images-gz", "gzip/images", "gzip/labels", "gzip/two-members",
        "npy/images", "npy/labels", "npy/labels-i8", "npz/stored", "npz/deflated", "npz/many-entries",
        "picture/grey.png", "picture/alpha.png", "picture/grey.pgm", "picture/colour.ppm", "picture/grey.bmp",
        "picture/seven.jpg", "model-file/tiny", "command/fit", "command/build", "command/load",
        "command/help", "command/param", "command/show", "notebook/seed-b.dnb", "notebook/crlf.dnb",
        "notebook/many-params.dnb", "notebook/many-outputs.dnb", "ipynb/dnb.ipynb", "ipynb/help-only.ipynb",
        "ipynb/error-output.ipynb", "ipynb/many-cells.ipynb", "ipynb/many-lines.ipynb", "jupyter-wire/kernel-info",
        "jupyter-wire/kernel-info-no-identity", "jupyter-wire/kernel-info-two-identities", "jupyter-wire/replayed",
        "jupyter-wire/execute-help", "jupyter-wire/execute-error", "jupyter-wire/complete-inspect",
        "jupyter-wire/no-key", "jupyter-wire/buffers", "jupyter-wire/many-messages", "jupyter-wire/long-code",
        "jupyter-wire/long-history", "keras-config/quickstart.json", "keras-config/convnet.json",
        "keras-config/rescaled.json", "keras-archive/quickstart.keras", "keras-archive/convnet.keras",
    ]

    @Test func everyHarnessHasSeeds() {
        let seeded = Set(Self.inputs(under: "Fuzz/Corpus").map(\.0))
        #expect(seeded == Set(FuzzTargets.all.map(\.name)))
    }

    @Test func theSeedsReplay() {
        for (harness, name, bytes) in Self.inputs(under: "Fuzz/Corpus") {
            guard let target = FuzzTargets.named(harness) else { continue }
            let outcome = target(bytes)
            if Self.validSeeds.contains("\(harness)/\(name)") {
                #expect(outcome == .accepted, "\(harness)/\(name)")
            }
        }
    }

    @Test func theKeptFindingsAreRefusedWithAMessage() {
        let findings = Self.inputs(under: "Tests/Fixtures/fuzz")
        #expect(!findings.isEmpty)
        for (harness, name, bytes) in findings {
            guard let target = FuzzTargets.named(harness) else {
                Issue.record("Tests/Fixtures/fuzz/\(harness) names no harness")
                continue
            }
            guard case .refused(let message) = target(bytes) else {
                Issue.record("\(harness)/\(name) was accepted")
                continue
            }
            #expect(!message.isEmpty, "\(harness)/\(name)")
        }
    }

    @Test func anRPTInputExpandsWithinItsLimit() {
        let input = Array("RPT!".utf8) + [3, 0, 0, 0, 2, 0, 1, 0] + Array("ab(".utf8) + Array(")]".utf8)
        #expect(FuzzInput.expanded(input, limit: 100) == Array("ab((()]".utf8))
        #expect(FuzzInput.expanded(input, limit: 4) == Array("ab((".utf8))
        #expect(FuzzInput.expanded(Array("RPT!".utf8), limit: 10) == Array("RPT!".utf8))
        for count in [0, 1, 2, 7, 1000, 65_535] {
            let many = Array("RPT!".utf8) + [UInt8(count & 0xFF), UInt8(count >> 8), 0, 0, 1, 0, 2, 0] + Array("[ab]".utf8)
            let text = "[" + String(repeating: "ab", count: count) + "]"
            #expect(FuzzInput.expanded(many, limit: 1 << 20) == Array(text.utf8))
            // Whole units only, then the suffix, within the limit.
            let units = min(count, 49)
            #expect(FuzzInput.expanded(many, limit: 100) == Array(("[" + String(repeating: "ab", count: units) + "]").utf8))
        }
    }
}
