import Foundation
import Testing

@testable import HostIO

/// The one process runner: input, output, status, directory, environment, signals, timeout.
@Suite struct ProcessRunnerTests {
    @Test func feedsInputAndCapturesOutputErrorAndStatus() throws {
        let result = try runProcess(
            ProcessRequest("/bin/sh", ["-c", "cat; echo oops >&2; exit 3"], input: Array("hello\n".utf8)))
        #expect(result.outputText == "hello\n")
        #expect(result.errorText == "oops\n")
        #expect(result.status == 3 && !result.timedOut)
    }

    @Test func runsInTheGivenFolderWithTheGivenEnvironment() throws {
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        let result = try runProcess(
            ProcessRequest(
                "sh", ["-c", "pwd; echo $ANSWER"], environment: ["ANSWER": "42", "PATH": "/usr/bin:/bin"],
                directory: folder))
        let resolved = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        #expect(result.outputText == "\(resolved)\n42\n")
    }

    @Test func theChildCanBeInterrupted() throws {
        // Under `swift test` this thread blocks SIGINT; the child must not inherit that.
        let result = try runProcess(ProcessRequest("/bin/sh", ["-c", "kill -INT $$; sleep 5"]))
        #expect(result.status == 128 + SIGINT)
    }

    @Test func aChildPastItsTimeoutIsStopped() throws {
        let result = try runProcess(ProcessRequest("/bin/sleep", ["30"], timeout: .milliseconds(100)))
        #expect(result.timedOut)
        #expect(result.status == 128 + SIGKILL)
    }

    @Test func aMissingProgramIsAnError() {
        #expect(throws: ProcessError.self) { try runProcess(ProcessRequest("/no/such/program")) }
        let result = try? runProcess(ProcessRequest("/bin/sh", ["-c", "true"], outputPath: nil))
        #expect(result?.status == 0)
    }
}
