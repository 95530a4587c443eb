import Engine
import JSON
import Language

/// A Jupyter notebook (nbformat 4) written for the dnb kernel, read for
/// `dnb run FILE.ipynb`: its code cells, in order; markdown cells are skipped.
public enum JupyterNotebook {
    /// One code cell: its place among all the notebook's cells (1-based) and its text.
    public struct CodeCell: Equatable, Sendable {
        public var number: Int
        public var source: String
    }

    /// The code cells of the notebook in `bytes`. Refuses what is not an
    /// nbformat 4 notebook, and one whose kernelspec names another kernel.
    public static func codeCells(_ bytes: [UInt8], name: String) throws(Diagnostic) -> [CodeCell] {
        let notebook: JSONValue
        do {
            notebook = try JSONValue.parse(bytes)
        } catch {
            throw Diagnostic("\(name): not a Jupyter notebook: byte \(error.offset): \(error.reason)")
        }
        guard notebook["nbformat"]?.integer == 4, case .array(let cells)? = notebook["cells"] else {
            throw Diagnostic("\(name): not a Jupyter notebook in nbformat 4 (no \"nbformat\": 4 and \"cells\")")
        }
        if let kernel = notebook["metadata"]?["kernelspec"]?["name"]?.string, kernel != "dnb" {
            throw Diagnostic(
                "\(name): written for the '\(kernel)' kernel, not dnb (its metadata.kernelspec.name says so)")
        }
        var code: [CodeCell] = []
        for (index, cell) in cells.enumerated() where cell["cell_type"]?.string == "code" {
            let source: String
            switch cell["source"] {
            case .string(let text)?: source = text
            case .array(let lines)?:
                // nbformat's source is a string or a list of strings; anything else is damage, not text to skip.
                let texts = lines.compactMap(\.string)
                guard texts.count == lines.count else {
                    throw Diagnostic("\(name): cell \(index + 1) has a source line that is not text")
                }
                source = texts.joined()
            default: throw Diagnostic("\(name): cell \(index + 1) has no source text")
            }
            code.append(CodeCell(number: index + 1, source: source))
        }
        return code
    }
}
