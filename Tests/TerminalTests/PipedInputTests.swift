import Foundation
import Testing

/// `printf 'help\n' | dnb`: notebook text on a pipe is replayed like `dnb run`,
/// with no prompt, no escape codes, and the history file left alone.
@Suite struct PipedInputTests {
    func runPiped(_ input: String) throws -> (result: Subprocess.Result, directory: TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        let binary = try DnbBinary.require()
        let environment = ["HOME": directory.path, "DNB_HISTORY": directory.file("history"), "LANG": "C.UTF-8"]
        let result = try Subprocess.run(binary, [], input: input, environment: environment, directory: directory.path)
        return (result, directory)
    }

    @Test func helpOnAPipePrintsNoPromptAndNoEscapeCodes() throws {
        let (result, directory) = try runPiped("help\n")
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("commands (help COMMAND for details):\n"))
        #expect(result.standardError == "")
        for output in [result.standardOutput, result.standardError] {
            #expect(!output.contains("dnb>") && !output.contains("...>"))
            #expect(!output.contains("\u{1B}") && !output.contains("\r"))
            #expect(!output.contains("digit notebook"))  // no banner
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("history")))
        #expect(!FileManager.default.fileExists(atPath: directory.file(".dnb_history")))
    }

    @Test func aBadLineOnAPipeStopsWithItsPlaceAndExitCodeOne() throws {
        let (result, _) = try runPiped("help set\nfti\nhelp run\n")
        #expect(result.status == 1)
        #expect(result.standardOutput.hasPrefix("usage: set"))
        #expect(!result.standardOutput.contains("usage: run"))
        #expect(
            result.standardError
                == "<stdin>:2:1: error: unknown command 'fti' — did you mean 'fit'? (help lists commands)\n    fti\n    ^~~\n")
    }
}
