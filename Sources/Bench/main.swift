// dnb-bench: trains the seed A and seed B recipes on MNIST and reports fit
// time, steps per second, GFLOP/s against the machine's peak (the widest
// FMA path the engine runs here: 16 lanes where its AVX-512 tiles run, else
// 8; measured at start-up, both shown), `load mnist`
// and `evaluate` times, peak RSS and test accuracy. Run on purpose, in a
// release build (`make bench`); never part of `swift test`.
//
// GFLOP/s are dense-equivalent: the FLOPs of the dense products a Keras
// model performs (counted in Recipe.swift) over the fit's wall time. dnb's
// first layer skips zero inputs (~81% of MNIST's pixels), so for seed B it
// executes about a quarter of them; the figure compares work done per
// second with a dense implementation, not the hardware's utilisation.
//
// Each recipe runs in a child process of its own (this executable again,
// with `--child`), so each peak RSS belongs to one recipe; the whole
// `dnb run notebooks/seed-b.dnb` is timed and measured the same way.

import Engine
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

let usage = """
    usage: dnb-bench [--recipe a|b|conv|bnconv|all] [--input pixels|features] [--threads N] [--repeats N]
                     [--epochs N] [--data PATH] [--notebook FILE.dnb | --no-notebook] [--json FILE]
      --recipe    which recipe to train: a, b, conv (the keras-io convnet), bnconv (the batch-normalized
                  convnet of notebooks/convnet.dnb, without augmentation or schedule), or all = a and b
                  (default: all)
      --epochs    train this many epochs instead of the recipe's (e.g. a quick convnet timing)
      --input     pixels: the engine scales each batch's rows as it gathers them (what dnb does);
                  features: a Float copy of the whole set first (the old way) (default: pixels)
      --threads   engine threads (default: every core available; the numbers do not depend on it)
      --repeats   fits per recipe, from the same seed; the best and median are reported (default: 3)
      --data      MNIST folder or .npz (default: $DNB_DATA, ./data/mnist, ~/.keras/datasets/mnist.npz)
      --notebook  notebook to run with the dnb next to this executable, for its whole-run
                  peak RSS (default: notebooks/seed-b.dnb when it exists)
      --json      also write the figures as JSON to FILE (for benchmarks/compare-keras.sh)
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("dnb-bench: \(message)\n".utf8))
    exit(2)
}

struct Options {
    var recipes = Recipe.all
    var input = InputForm.pixels
    var threads = availableCores()
    var repeats = 3
    var epochs: Int?
    var dataPath: String?
    var notebook: String? = FileManager.default.fileExists(atPath: "notebooks/seed-b.dnb") ? "notebooks/seed-b.dnb" : nil
    var jsonPath: String?
    var child: (recipe: Recipe, output: String)?
}

func parseOptions(_ arguments: [String]) -> Options {
    var options = Options()
    var rest = arguments[...]
    func value(_ flag: String) -> String {
        guard let next = rest.popFirst() else { fail("\(flag) needs a value\n\(usage)") }
        return next
    }
    func integer(_ flag: String) -> Int {
        let text = value(flag)
        guard let number = Int(text), number >= 1 else { fail("\(flag) needs a positive integer, got '\(text)'") }
        return number
    }
    func recipe(_ name: String) -> Recipe {
        guard var found = Recipe.known.first(where: { $0.name == name.lowercased() }) else {
            fail("unknown recipe '\(name)': use a, b, conv, bnconv or all")
        }
        if let epochs = options.epochs { found.epochs = epochs }
        return found
    }
    var childOutput: String?
    var childRecipe: Recipe?
    while let argument = rest.popFirst() {
        switch argument {
        case "--recipe":
            let name = value(argument)
            options.recipes = name == "all" ? Recipe.all : [recipe(name)]
        case "--input":
            let name = value(argument)
            guard let form = InputForm(rawValue: name) else { fail("unknown input '\(name)': use pixels or features") }
            options.input = form
        case "--threads": options.threads = integer(argument)
        case "--repeats": options.repeats = integer(argument)
        case "--epochs":
            options.epochs = integer(argument)
            options.recipes = options.recipes.map {
                var recipe = $0; recipe.epochs = options.epochs ?? recipe.epochs; return recipe
            }
        case "--data": options.dataPath = value(argument)
        case "--notebook": options.notebook = value(argument)
        case "--no-notebook": options.notebook = nil
        case "--json": options.jsonPath = value(argument)
        case "--child": childRecipe = recipe(value(argument))
        case "--out": childOutput = value(argument)
        case "-h", "--help":
            print(usage)
            exit(0)
        default: fail("unknown argument '\(argument)'\n\(usage)")
        }
    }
    if let childRecipe, let childOutput { options.child = (childRecipe, childOutput) }
    return options
}

/// The whole-notebook run: wall time, peak RSS and what it printed.
struct NotebookReport: Codable {
    var notebook: String
    var seconds: Double
    var peakRSS: Int
    /// Sum of the per-epoch times the notebook printed.
    var fitSeconds: Double?
    var loadSeconds: Double?
    var testAccuracy: Double?
}

struct BenchReport: Codable {
    var loadAverage: String
    /// The single-core peak the percentages are of, and the path it was measured on.
    var peak: PeakReport
    var recipes: [RecipeReport]
    var notebook: NotebookReport?
}

func loadAverage() -> String {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

/// Runs the notebook with the `dnb` beside this executable and reads its figures.
func measureNotebook(_ notebook: String) throws -> NotebookReport? {
    let dnb = (executablePath() as NSString).deletingLastPathComponent + "/dnb"
    guard FileManager.default.isExecutableFile(atPath: dnb) else {
        FileHandle.standardError.write(Data("dnb-bench: no \(dnb); skipping the whole-notebook run\n".utf8))
        return nil
    }
    let output = NSTemporaryDirectory() + "dnb-bench-notebook-\(getpid()).txt"
    defer { try? FileManager.default.removeItem(atPath: output) }
    let outcome = try runChild([dnb, "run", notebook], stdoutPath: output)
    guard outcome.status == 0 else { throw BenchError.message("dnb run \(notebook) exited with \(outcome.status)") }
    let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    var report = NotebookReport(notebook: notebook, seconds: outcome.seconds, peakRSS: outcome.peakRSS)
    var fit = 0.0
    var sawEpoch = false
    for line in text.split(separator: "\n") {
        // "Epoch 3/10 - 1500/1500 - 0.31s - loss: ..."
        if line.hasPrefix("Epoch "), line.contains(" - loss:") {
            let fields = line.components(separatedBy: " - ")
            if fields.count > 2, let seconds = Double(fields[2].dropLast()) {
                fit += seconds
                sawEpoch = true
            }
        } else if line.hasPrefix("loaded "), let range = line.range(of: " in ", options: .backwards) {
            report.loadSeconds = Double(line[range.upperBound...].dropLast())
        } else if line.hasPrefix("test:"), let range = line.range(of: "accuracy ") {
            report.testAccuracy = Double(line[range.upperBound...].prefix { !$0.isWhitespace })
        }
    }
    if sawEpoch { report.fitSeconds = fit }
    return report
}

func megabytes(_ bytes: Int) -> String { String(format: "%.0f MB", Double(bytes) / 1_048_576) }

func printTable(_ report: BenchReport, options: Options) {
    let recipes = report.recipes
    let threads = options.threads
    var rows: [(String, [String])] = []
    func row(_ label: String, _ value: (RecipeReport) -> String) { rows.append((label, recipes.map(value))) }
    row("fit, best of \(options.repeats)") { String(format: "%.3f s", $0.bestFit) }
    row("fit, median") { String(format: "%.3f s", $0.medianFit) }
    row("epoch, best / median") { String(format: "%.3f / %.3f s", $0.bestEpoch, $0.medianEpoch) }
    row("training samples / validation") { "\($0.trainingSamples) / \($0.validationSamples)" }
    row("steps per second (best fit)") {
        String(format: "%.0f", Double($0.steps * $0.epochs) / $0.bestFit)
    }
    row("GFLOP per fit (dense products)") { String(format: "%.1f", $0.flops / 1e9) }
    row("GFLOP/s, dense-equivalent") { String(format: "%.1f", $0.flops / $0.bestFit / 1e9) }
    let peak = report.peak.perCore
    row("% of 1-core \(report.peak.path)") { String(format: "%.0f%%", 100 * $0.flops / $0.bestFit / peak) }
    if threads > 1 {
        row("% of \(threads)-core \(report.peak.path)") {
            String(format: "%.0f%%", 100 * $0.flops / $0.bestFit / (peak * Double(threads)))
        }
    }
    row("best epoch, % of \(threads)-core peak") {
        String(format: "%.0f%%", 100 * $0.flops / Double($0.epochs) / $0.bestEpoch / (peak * Double(threads)))
    }
    row("load mnist") { String(format: "%.3f s", $0.load) }
    row("make examples (\(recipes.first?.input ?? "?"))") { String(format: "%.3f s", $0.normalize) }
    row("evaluate 10k, best of 5 / first") { String(format: "%.1f / %.1f ms", 1000 * $0.evaluate, 1000 * $0.evaluateFirst) }
    row("test accuracy") { String(format: "%.4f", $0.testAccuracy) }
    row("val accuracy, last epoch") { $0.validationAccuracy.map { String(format: "%.4f", $0) } ?? "-" }
    row("peak RSS (recipe process)") { megabytes($0.peakRSS) }
    row("parameters") { $0.parameters.formatted() }
    row("repeats bit-identical") { $0.deterministic ? "yes" : "NO" }

    let labelWidth = rows.map(\.0.count).max() ?? 0
    let columnWidth = max(20, recipes.map(\.title.count).max() ?? 0) + 2
    func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
    print("dnb-bench: \(threads) threads, load average \(report.loadAverage)")
    var peakLine = "peak per core: \(report.peak.path) \(String(format: "%.1f", peak / 1e9)) GFLOP/s (used below)"
    if report.peak.lanes != 8 {
        peakLine += String(format: "; 8-lane FMA peak %.1f GFLOP/s", report.peak.eightLanePerCore / 1e9)
    }
    print(peakLine)
    print(pad("", labelWidth + 2) + recipes.map { pad($0.title, columnWidth) }.joined())
    for (label, values) in rows {
        print(pad(label, labelWidth + 2) + values.map { pad($0, columnWidth) }.joined())
    }
    if let notebook = report.notebook {
        var line =
            "whole run `dnb run \(notebook.notebook)`: \(String(format: "%.2f s", notebook.seconds)), "
            + "peak RSS \(megabytes(notebook.peakRSS))"
        if let fit = notebook.fitSeconds { line += String(format: ", fit %.2f s", fit) }
        if let load = notebook.loadSeconds { line += String(format: ", load %.2f s", load) }
        if let accuracy = notebook.testAccuracy { line += String(format: ", test accuracy %.4f", accuracy) }
        print(line)
    }
}

let options = parseOptions(Array(CommandLine.arguments.dropFirst()))
do {
    if let child = options.child {
        let report = try runRecipe(
            child.recipe, input: options.input, threads: options.threads, repeats: options.repeats,
            dataPath: options.dataPath)
        try JSONEncoder().encode(report).write(to: URL(fileURLWithPath: child.output))
        exit(0)
    }
    // Measured before the recipes, with the machine as quiet as this run finds it.
    let peak = PeakReport.measure()
    var reports: [RecipeReport] = []
    let me = executablePath()
    for recipe in options.recipes {
        let output = NSTemporaryDirectory() + "dnb-bench-\(recipe.name)-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: output) }
        var arguments = [
            me, "--child", recipe.name, "--out", output, "--threads", "\(options.threads)",
            "--repeats", "\(options.repeats)", "--input", options.input.rawValue,
        ]
        if let epochs = options.epochs {
            arguments = Array(arguments.prefix(1)) + ["--epochs", "\(epochs)"] + arguments.dropFirst()
        }
        if let data = options.dataPath { arguments += ["--data", data] }
        let outcome = try runChild(arguments)
        guard outcome.status == 0 else { fail("recipe \(recipe.name) failed (exit \(outcome.status))") }
        reports.append(try JSONDecoder().decode(RecipeReport.self, from: Data(contentsOf: URL(fileURLWithPath: output))))
    }
    let notebook = try options.notebook.flatMap(measureNotebook)
    let report = BenchReport(loadAverage: loadAverage(), peak: peak, recipes: reports, notebook: notebook)
    printTable(report, options: options)
    if let path = options.jsonPath {
        try JSONEncoder().encode(report).write(to: URL(fileURLWithPath: path))
    }
} catch {
    fail("\(error)")
}
