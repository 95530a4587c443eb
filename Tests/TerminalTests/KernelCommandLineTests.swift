import Foundation
import Testing

/// `dnb kernel install` and `dnb kernel -f`, as Jupyter and a user run them.
@Suite struct KernelCommandLineTests {
    let runner = NotebookCommandLineTests()

    @Test func installWritesAKernelspecThatStartsThisBinary() throws {
        let directory = try TemporaryDirectory()
        let result = try runner.dnb(["kernel", "install", "--prefix", "env"], in: directory)
        #expect(result.status == 0, "\(result)")
        let folder = directory.file("env/share/jupyter/kernels/dnb")
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/kernel.json"))
        let spec = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let argv = try #require(spec["argv"] as? [String])
        #expect(argv.count == 4)
        #expect(argv.dropFirst() == ["kernel", "-f", "{connection_file}"])
        #expect(FileManager.default.isExecutableFile(atPath: argv[0]))
        #expect(
            URL(fileURLWithPath: argv[0]).resolvingSymlinksInPath()
                == URL(fileURLWithPath: try DnbBinary.require()).resolvingSymlinksInPath())
        #expect(spec["display_name"] as? String == "dnb")
        #expect(spec["language"] as? String == "dnb")
        #expect(spec["interrupt_mode"] as? String == "signal")
        #expect(FileManager.default.fileExists(atPath: folder + "/logo-svg.svg"))
    }

    @Test func badKernelCommandLines() throws {
        let directory = try TemporaryDirectory()
        for arguments in [["kernel"], ["kernel", "install", "--user", "--prefix", "x"], ["kernel", "install", "--system"]] {
            let result = try runner.dnb(arguments, in: directory)
            #expect(result.status == 2, "\(arguments)")
        }
        try "{\"shell_port\": 1}".write(toFile: directory.file("c.json"), atomically: true, encoding: .utf8)
        let bad = try runner.dnb(["kernel", "-f", "c.json"], in: directory)
        #expect(bad.status == 1)
        #expect(bad.standardError.contains("c.json: not a Jupyter connection file: \"control_port\" must be a port number"))
        let missing = try runner.dnb(["kernel", "-f", "none.json"], in: directory)
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("no such file or directory: none.json"))
    }
}
