import Foundation
import Testing

/// `dnb run NB.dnb --record | --check | --report | -p`, run as a user runs them.
@Suite struct NotebookCommandLineTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let dataPath = ProcessInfo.processInfo.environment["DNB_DATA"]
    static let python = ProcessInfo.processInfo.environment["DNB_PYTHON"]

    func dnb(_ arguments: [String], in directory: TemporaryDirectory, data: String? = nil) throws -> Subprocess.Result {
        var environment = [
            "HOME": directory.path, "LANG": "C.UTF-8", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]
        if let data { environment["DNB_DATA"] = data }
        return try Subprocess.run(try DnbBinary.require(), arguments, environment: environment, directory: directory.path)
    }

    static let notebook = """
        # Settings only: quick, and every line prints something.
        param seed=7
        set seed=$seed threads=1
        help set
        """

    /// The accuracies a notebook's recorded outputs show after `label`
    /// (`test:`, `predicted`), in order.
    static func recordedAccuracies(_ notebook: String, after label: String) throws -> [Double] {
        let text = try String(contentsOfFile: packageRoot + "/notebooks/" + notebook, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line -> Double? in
            guard line.hasPrefix("#> " + label), let range = line.range(of: "accuracy ") else { return nil }
            return Double(line[range.upperBound...].prefix { $0.isNumber || $0 == "." })
        }
    }

    /// What the recorded notebooks promise, which `make test` replays with
    /// `--check`: the batch-normalized convnet at 0.995 on MNIST's test set
    /// and 0.97 on each kind of hand-drawn fixture, the speedrun at 0.990.
    @Test func recordedNotebooksReachTheirTargets() throws {
        let convnet = try Self.recordedAccuracies("convnet.dnb", after: "test:")
        #expect(convnet.count == 1 && convnet.allSatisfy { $0 >= 0.995 }, "convnet.dnb test accuracy \(convnet)")
        let drawings = try Self.recordedAccuracies("convnet.dnb", after: "predicted")
        #expect(drawings.count == 2 && drawings.allSatisfy { $0 >= 0.97 }, "convnet.dnb on the fixtures \(drawings)")
        let speedrun = try Self.recordedAccuracies("speedrun.dnb", after: "test:")
        #expect(speedrun.count == 1 && speedrun.allSatisfy { $0 >= 0.990 }, "speedrun.dnb test accuracy \(speedrun)")
    }

    @Test func recordThenCheckThenACorruptedNumberIsNamed() throws {
        let directory = try TemporaryDirectory()
        try Self.notebook.write(toFile: directory.file("nb.dnb"), atomically: true, encoding: .utf8)
        let unrecorded = try dnb(["run", "nb.dnb", "--check"], in: directory)
        #expect(unrecorded.status == 1)
        #expect(unrecorded.standardError.contains("nb.dnb:2:1: error: no recorded output to compare with"))

        let recording = try dnb(["run", "nb.dnb", "--record"], in: directory)
        #expect(recording.status == 0, "\(recording)")
        let recorded = try String(contentsOfFile: directory.file("nb.dnb"), encoding: .utf8)
        #expect(recorded.contains("set seed=$seed threads=1\n#> seed = 7\n#> threads = 1\n"))

        let check = try dnb(["run", "nb.dnb", "--check"], in: directory)
        #expect(check.status == 0, "\(check)")
        #expect(check.standardOutput.contains("nb.dnb: every recorded output matches"))

        let corrupted = recorded.replacingOccurrences(of: "#> seed = 7", with: "#> seed = 8")
        try corrupted.write(toFile: directory.file("nb.dnb"), atomically: true, encoding: .utf8)
        let failing = try dnb(["run", "nb.dnb", "--check"], in: directory)
        #expect(failing.status == 1)
        #expect(
            failing.standardError.contains("nb.dnb:4:1: error: the output differs from the recording: output line 1: 8 became 7"))
        #expect(failing.standardError.contains("expected:\n    #> seed = 8"))
        #expect(failing.standardError.contains("actual:\n    #> seed = 7"))
        // A wider tolerance lets the change through.
        #expect(try dnb(["run", "nb.dnb", "--check", "--tolerance", "0.5"], in: directory).status == 0)
    }

    @Test func parametersFromTheCommandLineWinAndAreShown() throws {
        let directory = try TemporaryDirectory()
        try Self.notebook.write(toFile: directory.file("nb.dnb"), atomically: true, encoding: .utf8)
        let result = try dnb(["run", "nb.dnb", "-p", "seed=42", "-p", "sed=1"], in: directory)
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("param seed=42 (from -p)\nseed = 42\n"))
        #expect(result.standardError.contains("warning: -p sed=… was given but no `param sed=…` line declares it"))
    }

    @Test func badCommandLinesExitTwo() throws {
        let directory = try TemporaryDirectory()
        for arguments in [
            ["run", "nb.dnb", "--report", "out.html"], ["run", "nb.dnb", "--record", "--check"],
            ["run", "nb.dnb", "--tolerance", "x"], ["run", "nb.dnb", "-p", "=3"],
        ] {
            let result = try dnb(arguments, in: directory)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.standardError.hasPrefix("dnb: error: "))
        }
    }

    /// The Markdown report shows the plots; the .ipynb validates against nbformat v4
    /// (with nbformat from PyPI, installed by `make test` into .venv).
    @Test(.enabled(if: dataPath != nil, "DNB_DATA is not set"))
    func reportsCarryOutputsAndPlots() throws {
        let directory = try TemporaryDirectory()
        let notebook = """
            # A short run on a slice of MNIST.
            load mnist
            normalize
            build dense 16 relu, dense 10 softmax
            fit epochs=2 validation=0.9 optimizer=adam
            evaluate
            show loss
            """
        try notebook.write(toFile: directory.file("nb.dnb"), atomically: true, encoding: .utf8)
        let markdown = try dnb(["run", "nb.dnb", "--report", "reports/nb.md"], in: directory, data: Self.dataPath)
        #expect(markdown.status == 0, "\(markdown)")
        let text = try String(contentsOfFile: directory.file("reports/nb.md"), encoding: .utf8)
        #expect(text.contains("A short run on a slice of MNIST."))
        #expect(text.contains("```dnb\nevaluate\n```\n\n```text\ntest: loss "))
        #expect(text.contains("![loss.png](../plots/loss.png)"))
        #expect(FileManager.default.fileExists(atPath: directory.file("plots/loss.png")))

        let ipynb = try dnb(["run", "nb.dnb", "--report", "nb.ipynb"], in: directory, data: Self.dataPath)
        #expect(ipynb.status == 0, "\(ipynb)")
        if let python = Self.python {
            let check =
                "import nbformat, sys; nb = nbformat.read(sys.argv[1], as_version=4); nbformat.validate(nb); "
                + "print(len(nb.cells), sum(1 for c in nb.cells for o in c.get('outputs', []) if 'image/png' in o.get('data', {})))"
            let result = try Subprocess.run(
                python, ["-c", check, directory.file("nb.ipynb")], environment: [:], directory: directory.path)
            #expect(result.status == 0, "nbformat rejected the notebook: \(result.standardError)")
            #expect(result.standardOutput == "7 1\n", "1 markdown + 6 code cells, one PNG")
        }
    }

    @Test(.enabled(if: python != nil, "DNB_PYTHON (a python with nbformat) is not set"))
    func thePythonForValidationWorks() throws {
        let directory = try TemporaryDirectory()
        let result = try Subprocess.run(
            try #require(Self.python), ["-c", "import nbformat"], environment: [:], directory: directory.path)
        #expect(result.status == 0, "DNB_PYTHON is set but cannot import nbformat: \(result.standardError)")
    }

    /// `-p hidden=15` turns the main notebook into seed A's network.
    /// One notebook replayed with threads 1, 2 and 4 prints the same
    /// numbers: only the timings may differ.
    @Test(.enabled(if: dataPath != nil, "DNB_DATA is not set"))
    func threadsOneTwoAndFourPrintTheSameNumbers() throws {
        let directory = try TemporaryDirectory()
        let notebook = """
            param threads=1
            set threads=$threads seed=3
            load mnist
            normalize
            build dense 128 relu, dense 10 softmax
            fit epochs=2 batch=64 validation=0.5 optimizer=adam
            evaluate
            evaluate train
            predict test 17
            """
        try notebook.write(toFile: directory.file("nb.dnb"), atomically: true, encoding: .utf8)
        var outputs: [String] = []
        for threads in [1, 2, 4] {
            let result = try dnb(["run", "nb.dnb", "-p", "threads=\(threads)"], in: directory, data: Self.dataPath)
            #expect(result.status == 0, "\(result)")
            #expect(result.standardOutput.contains("threads = \(threads)"))
            outputs.append(
                result.standardOutput.replacing(/\d+\.\d+s\b/, with: "T").replacing(/threads[ =]+\d+/, with: "threads"))
        }
        #expect(outputs[0].contains("test: loss "))
        #expect(outputs[1] == outputs[0])
        #expect(outputs[2] == outputs[0])
    }

    @Test(.enabled(if: dataPath != nil, "DNB_DATA is not set"))
    func mainNotebookWithHidden15IsSeedA() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(
            atPath: directory.file("Tests"), withDestinationPath: Self.packageRoot + "/Tests")
        let result = try dnb(
            ["run", Self.packageRoot + "/notebooks/mnist.dnb", "-p", "hidden=15"], in: directory, data: Self.dataPath)
        #expect(result.status == 0, "\(result)")
        #expect(result.standardOutput.contains("param hidden=15 (from -p), epochs=10"))
        #expect(result.standardOutput.contains("Total params: 11,935"))
        let evaluation = try #require(result.standardOutput.firstMatch(of: /test: loss \d\.\d{4} - accuracy (\d\.\d{4})/))
        #expect(try #require(Double(evaluation.1)) >= 0.945)
    }
}
