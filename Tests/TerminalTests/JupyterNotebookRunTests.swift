import Foundation
import Testing

/// `dnb run FILE.ipynb`: notebooks cross both ways between dnb and Jupyter.
@Suite struct JupyterNotebookRunTests {
    let runner = NotebookCommandLineTests()

    /// A report written by `--report out.ipynb` names the dnb kernel, and
    /// `dnb run` replays it, printing what the notebook printed.
    @Test func aReportReplaysAsANotebook() throws {
        let directory = try TemporaryDirectory()
        try NotebookCommandLineTests.notebook.write(toFile: directory.file("nb.dnb"), atomically: true, encoding: .utf8)
        let original = try runner.dnb(["run", "nb.dnb", "--report", "nb.ipynb"], in: directory)
        #expect(original.status == 0, "\(original)")
        let report = try String(contentsOfFile: directory.file("nb.ipynb"), encoding: .utf8)
        #expect(report.contains(#""kernelspec":{"name":"dnb","display_name":"dnb","language":"dnb"}"#))

        let replay = try runner.dnb(["run", "nb.ipynb"], in: directory)
        #expect(replay.status == 0, "\(replay)")
        #expect(original.standardOutput.hasPrefix(replay.standardOutput))
        #expect(replay.standardOutput.contains("seed = 7"))
    }

    static func notebook(kernel: String, cells: String) -> String {
        """
        {"nbformat": 4, "nbformat_minor": 5,
         "metadata": {"kernelspec": {"name": "\(kernel)", "display_name": "\(kernel)", "language": "\(kernel)"}},
         "cells": [\(cells)]}
        """
    }

    /// Markdown cells are skipped; sources come as one string or a list of
    /// lines; an error names the cell, then the line and column in it.
    @Test func codeCellsRunAndAnErrorNamesItsCell() throws {
        let directory = try TemporaryDirectory()
        let cells = """
            {"cell_type": "markdown", "metadata": {}, "source": ["# Not a command\\n", "load nothing"]},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, "source": "param a=1"},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
             "source": ["set seed=$a\\n", "fti epochs=1"]}
            """
        try Self.notebook(kernel: "dnb", cells: cells).write(
            toFile: directory.file("nb.ipynb"), atomically: true, encoding: .utf8)
        let result = try runner.dnb(["run", "nb.ipynb"], in: directory)
        #expect(result.status == 1)
        #expect(result.standardOutput == "param a=1\nseed = 1\n")
        #expect(result.standardError.hasPrefix("nb.ipynb[cell 3]:2:1: error: unknown command 'fti' — did you mean 'fit'?"))
    }

    @Test func aNotebookForAnotherKernelIsRefused() throws {
        let directory = try TemporaryDirectory()
        try Self.notebook(kernel: "python3", cells: "").write(
            toFile: directory.file("py.ipynb"), atomically: true, encoding: .utf8)
        let result = try runner.dnb(["run", "py.ipynb"], in: directory)
        #expect(result.status == 1)
        #expect(result.standardError.contains("py.ipynb: written for the 'python3' kernel, not dnb"))

        try "{\"cells\": []".write(toFile: directory.file("bad.ipynb"), atomically: true, encoding: .utf8)
        let bad = try runner.dnb(["run", "bad.ipynb"], in: directory)
        #expect(bad.status == 1)
        #expect(bad.standardError.contains("bad.ipynb: not a Jupyter notebook"))

        let check = try runner.dnb(["run", "py.ipynb", "--check"], in: directory)
        #expect(check.status == 2)
    }

    /// A damaged source list (a number among the lines) is refused, naming
    /// the cell, rather than run with the line left out.
    @Test func aSourceLineThatIsNotTextIsRefused() throws {
        let directory = try TemporaryDirectory()
        let cells = """
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
             "source": ["param a=1\\n", 42, "param b=2"]}
            """
        try Self.notebook(kernel: "dnb", cells: cells).write(
            toFile: directory.file("nb.ipynb"), atomically: true, encoding: .utf8)
        let result = try runner.dnb(["run", "nb.ipynb"], in: directory)
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.contains("nb.ipynb: cell 1 has a source line that is not text"))
    }
}
