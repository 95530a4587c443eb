import Engine
import Foundation
import HostIO
import JSON
import Language

/// `dnb run NB.dnb --report out.md|out.ipynb`: the replayed notebook as a
/// document — comments as prose, each command with its output and plots.
public struct NotebookReport {
    /// A run of comment lines (prose) or one command with what it produced.
    enum Cell: Equatable {
        case prose(String)
        case command(source: String, output: [String], images: [String], error: String?)
    }

    let title: String
    let cells: [Cell]

    /// Groups a replay's statements into cells. `images` are the plots'
    /// paths relative to the working directory.
    public init(title: String, outputs: [StatementOutput]) {
        self.title = title
        var cells: [Cell] = []
        var prose: [String] = []
        func flushProse() {
            let text = prose.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { cells.append(.prose(text)) }
            prose = []
        }
        for output in outputs {
            let source = output.statement.source
            if output.statement.isBlank {
                let trimmed = source.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("#") {
                    prose.append(String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces))
                } else {
                    flushProse()
                }
                continue
            }
            flushProse()
            let images = output.events.compactMap { event -> String? in
                if case .plot(_, let image?, _) = event { image } else { nil }
            }
            let lines = output.events.flatMap { event -> [String] in
                if case .plot(_, _?, _) = event { return [] }
                return event.transcriptLines
            }
            cells.append(.command(source: source, output: lines, images: images, error: output.error))
        }
        flushProse()
        self.cells = cells
    }

    /// Markdown: prose as paragraphs, commands in fenced blocks, outputs as
    /// text blocks, plots as images relative to `reportDirectory`.
    public func markdown(reportDirectory: String, workingDirectory: String) -> String {
        var out = "# \(title)\n"
        for cell in cells {
            switch cell {
            case .prose(let text):
                out += "\n\(text)\n"
            case .command(let source, let output, let images, let error):
                out += "\n```dnb\n\(source)\n```\n"
                if !output.isEmpty { out += "\n```text\n\(output.joined(separator: "\n"))\n```\n" }
                for image in images {
                    let path = Self.relativePath(
                        from: reportDirectory, to: Self.absolute(image, in: workingDirectory))
                    out += "\n![\((image as NSString).lastPathComponent)](\(path))\n"
                }
                if let error { out += "\n```text\n\(error)\n```\n" }
            }
        }
        return out
    }

    /// A Jupyter notebook (nbformat 4): a markdown cell per run of comments,
    /// a code cell per command with its text output and its plots as image
    /// outputs (PNG embedded base64, SVG as text).
    public func ipynb(workingDirectory: String, host: any HostServices = LocalHost()) -> [UInt8] {
        func object(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
            .object(pairs.map { JSONValue.Member(key: $0.key, value: $0.value) })
        }
        func lines(_ text: String) -> JSONValue { .array(Self.sourceLines(text).map(JSONValue.string)) }
        var jsonCells: [JSONValue] = []
        var count = 0
        for cell in cells {
            switch cell {
            case .prose(let text):
                jsonCells.append(object(["cell_type": .string("markdown"), "metadata": object([:]), "source": lines(text)]))
            case .command(let source, let output, let images, let error):
                count += 1
                var outputs: [JSONValue] = []
                if !output.isEmpty {
                    outputs.append(
                        object([
                            "output_type": .string("stream"), "name": .string("stdout"),
                            "text": lines(output.joined(separator: "\n") + "\n"),
                        ]))
                }
                for image in images {
                    guard let data = try? host.read(Self.absolute(image, in: workingDirectory)) else { continue }
                    let bundle =
                        image.hasSuffix(".svg")
                        ? object(["image/svg+xml": .string(String(decoding: data, as: UTF8.self)), "text/plain": lines(image)])
                        : object(["image/png": .string(Data(data).base64EncodedString()), "text/plain": lines(image)])
                    outputs.append(object(["output_type": .string("display_data"), "data": bundle, "metadata": object([:])]))
                }
                if let error {
                    outputs.append(
                        object(["output_type": .string("stream"), "name": .string("stderr"), "text": lines(error + "\n")]))
                }
                jsonCells.append(
                    object([
                        "cell_type": .string("code"), "execution_count": .number(count), "metadata": object([:]),
                        "source": lines(source), "outputs": .array(outputs),
                    ]))
            }
        }
        let notebook = object([
            "nbformat": .number(4), "nbformat_minor": .number(4),
            "metadata": object([
                "kernelspec": object([
                    "name": .string("dnb"), "display_name": .string("dnb"), "language": .string("dnb"),
                ]),
                "language_info": object([
                    "name": .string("dnb"), "file_extension": .string(".dnb"), "mimetype": .string("text/x-dnb"),
                ]),
                "title": .string(title),
            ]),
            "cells": .array(jsonCells),
        ])
        return Array(notebook.serialized.utf8) + [0x0A]
    }

    /// Jupyter's multi-line strings: a list of lines, each but the last ending in "\n".
    static func sourceLines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
        if let last = lines.last {
            lines[lines.count - 1] = String(last.dropLast())
            if lines[lines.count - 1].isEmpty { lines.removeLast() }
        }
        return lines
    }

    static func absolute(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : directory + "/" + path
    }

    /// `to` relative to the folder `from` (both absolute).
    static func relativePath(from directory: String, to path: String) -> String {
        let base = URL(fileURLWithPath: directory).standardizedFileURL.pathComponents
        let target = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        var common = 0
        while common < base.count, common < target.count, base[common] == target[common] { common += 1 }
        let ups = [String](repeating: "..", count: base.count - common)
        return (ups + target[common...]).joined(separator: "/")
    }
}
