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
// `dnb run notebooks/seed-b.dnb` is timed and measured the same way. On
// request, issue 24's other measurements, each in a child of its own too
// (Milestones.swift): augmentation's share of an epoch, the time
// notebooks/convnet.dnb's recipe takes to reach a test accuracy, and the
// fit time and test accuracy of `dnb run notebooks/speedrun.dnb`.
//
// A child's peak RSS as Linux reports it (getrusage, wait4) is at least
// the RSS its parent had when it spawned it: the parent's pages count until
// the exec replaces them. The parent here holds nothing big (its own peak
// is under 30 MB), so each peak is the child's own.

import Engine
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

let usage = """
    usage: dnb-bench [--recipe a|b|conv|bnconv|convnet-notebook|all|none] [--input pixels|features]
                     [--threads N] [--repeats N] [--epochs N] [--data PATH]
                     [--notebook FILE.dnb | --no-notebook] [--augmentation] [--augmentation-runs N]
                     [--time-to ACCURACY] [--speedrun] [--json FILE]
      --recipe    which recipe to train: a, b, conv (the keras-io convnet), bnconv (the batch-normalized
                  convnet of notebooks/convnet.dnb, without augmentation or schedule), convnet-notebook
                  (notebooks/convnet.dnb's whole recipe: bnconv with augmentation and the cosine schedule,
                  then 2 epochs without augmentation at lr 0.0001),
                  all = a and b, or none (only what the flags below ask for) (default: all)
      --epochs    train this many epochs instead of the recipe's (e.g. a quick convnet timing); also
                  the most epochs --time-to trains
      --augmentation       augmentation's share of an epoch (target <= 5%): the batch-normalized convnet
                           fitted one epoch with the default augmentation and one without, taking turns,
                           --augmentation-runs times each way (default 3); from the best epochs
      --time-to ACCURACY   notebooks/convnet.dnb's recipe (12 + 2 epochs), the test set evaluated after every
                           epoch: the epoch and fit seconds at which it first reaches ACCURACY (e.g. 0.995)
      --speedrun           also run notebooks/speedrun.dnb with the dnb next to this executable: its fit
                           seconds and test accuracy (target: >= 0.990 with <= 10 s of fit)
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

/// What a child process (this executable with `--child ...`) measures.
enum ChildTask {
    case recipe(Recipe)
    case augmentation
    case timeTo(Double)
}

struct Options {
    var recipes = Recipe.all
    var input = InputForm.pixels
    var threads = availableCores()
    var repeats = 3
    var epochs: Int?
    var dataPath: String?
    var notebook: String? = FileManager.default.fileExists(atPath: "notebooks/seed-b.dnb") ? "notebooks/seed-b.dnb" : nil
    var augmentation = false
    var augmentationRuns = 3
    var timeTo: Double?
    var speedrun = false
    var jsonPath: String?
    var child: (task: ChildTask, output: String)?
}

/// The speedrun notebook `--speedrun` runs.
let speedrunNotebook = "notebooks/speedrun.dnb"

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
    func accuracy(_ flag: String) -> Double {
        let text = value(flag)
        guard let number = Double(text), number > 0, number <= 1 else {
            fail("\(flag) needs an accuracy in (0, 1], got '\(text)'")
        }
        return number
    }
    func recipe(_ name: String) -> Recipe {
        guard var found = Recipe.known.first(where: { $0.name == name.lowercased() }) else {
            fail("unknown recipe '\(name)': use \(Recipe.known.map(\.name).joined(separator: ", ")), all or none")
        }
        if let epochs = options.epochs { found.epochs = epochs }
        return found
    }
    var childOutput: String?
    var childTask: ChildTask?
    while let argument = rest.popFirst() {
        switch argument {
        case "--recipe":
            let name = value(argument)
            options.recipes = name == "all" ? Recipe.all : name == "none" ? [] : [recipe(name)]
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
        case "--augmentation": options.augmentation = true
        case "--augmentation-runs":
            options.augmentationRuns = integer(argument)
            options.augmentation = true
        case "--time-to": options.timeTo = accuracy(argument)
        case "--speedrun": options.speedrun = true
        case "--json": options.jsonPath = value(argument)
        case "--child": childTask = .recipe(recipe(value(argument)))
        case "--child-augmentation": childTask = .augmentation
        case "--child-time-to": childTask = .timeTo(accuracy(argument))
        case "--out": childOutput = value(argument)
        case "-h", "--help":
            print(usage)
            exit(0)
        default: fail("unknown argument '\(argument)'\n\(usage)")
        }
    }
    if let childTask, let childOutput { options.child = (childTask, childOutput) }
    return options
}

/// The whole-notebook run: wall time, peak RSS and what it printed.
struct NotebookReport: Codable {
    var notebook: String
    var seconds: Double
    var peakRSS: Int
    /// Sum of the per-epoch times the notebook printed, and how many epochs.
    var fitSeconds: Double?
    var epochs: Int?
    var loadSeconds: Double?
    var testAccuracy: Double?
}

struct BenchReport: Codable {
    var loadAverage: String
    /// The single-core peak the percentages are of, and the path it was measured on.
    var peak: PeakReport
    var recipes: [RecipeReport]
    var notebook: NotebookReport?
    var augmentation: AugmentationReport?
    var timeTo: TimeToReport?
    var speedrun: NotebookReport?
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
    var epochs = 0
    for line in text.split(separator: "\n") {
        // "Epoch 3/10 - 1500/1500 - 0.31s - loss: ..." (past a minute "1m06s")
        if line.hasPrefix("Epoch "), line.contains(" - loss:") {
            let fields = line.components(separatedBy: " - ")
            if fields.count > 2, let seconds = printedSeconds(fields[2]) {
                fit += seconds
                epochs += 1
            }
        } else if line.hasPrefix("loaded "), let range = line.range(of: " in ", options: .backwards) {
            report.loadSeconds = Double(line[range.upperBound...].dropLast())
        } else if line.hasPrefix("test:"), let range = line.range(of: "accuracy ") {
            report.testAccuracy = Double(line[range.upperBound...].prefix { !$0.isWhitespace })
        }
    }
    if epochs > 0 {
        report.fitSeconds = fit
        report.epochs = epochs
    }
    return report
}

/// Seconds from an epoch line's time: "0.31s", "54.1s" or "2m51s".
func printedSeconds(_ text: String) -> Double? {
    guard text.hasSuffix("s") else { return nil }
    let parts = text.dropLast().split(separator: "m", omittingEmptySubsequences: false)
    switch parts.count {
    case 1: return Double(parts[0])
    case 2:
        guard let minutes = Int(parts[0]), let seconds = Double(parts[1]) else { return nil }
        return Double(minutes) * 60 + seconds
    default: return nil
    }
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
    if !recipes.isEmpty {
        print(pad("", labelWidth + 2) + recipes.map { pad($0.title, columnWidth) }.joined())
        for (label, values) in rows {
            print(pad(label, labelWidth + 2) + values.map { pad($0, columnWidth) }.joined())
        }
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
    let checks = milestoneChecks(report)
    if !checks.isEmpty {
        print("")
        for check in checks { print("  \(check.pass ? "PASS" : "MISS")  \(check.name): \(check.value)") }
    }
}

/// Issue 24's targets for the measurements the flags asked for: (name, met, figures).
func milestoneChecks(_ report: BenchReport) -> [(name: String, pass: Bool, value: String)] {
    var checks: [(name: String, pass: Bool, value: String)] = []
    if let augmentation = report.augmentation {
        checks.append(
            (
                "augmentation's share of an epoch <= 5% (\(augmentation.title), best of \(augmentation.runs) "
                    + "1-epoch fits each way, taking turns)",
                augmentation.share <= 0.05,
                String(
                    format: "%.1f%% (%.2f s with, %.2f s without)", 100 * augmentation.share, augmentation.bestWith,
                    augmentation.bestWithout)
            ))
    }
    if let speedrun = report.speedrun {
        let accuracy = speedrun.testAccuracy ?? 0
        let fit = speedrun.fitSeconds ?? .infinity
        checks.append(
            (
                "`\(speedrun.notebook)`: >= 0.990 test accuracy with <= 10 s of fit",
                reaches(accuracy, count: 10_000, target: 0.990) && fit <= 10,
                String(format: "%.4f with %.2f s of fit (%d epochs)", accuracy, fit, speedrun.epochs ?? 0)
            ))
    }
    if let timeTo = report.timeTo {
        let name =
            "\(timeTo.title)'s recipe reaches >= \(String(format: "%.3f", timeTo.target)) test accuracy within its "
            + "\(timeTo.maxEpochs) epoch\(timeTo.maxEpochs == 1 ? "" : "s")"
        let value: String
        if let reached = timeTo.reached {
            value = String(
                format: "epoch %d, %.1f s of fit (%.4f)", reached.epoch, reached.fitSeconds, reached.testAccuracy)
        } else if let best = timeTo.best {
            value = String(
                format: "not reached; best %.4f at epoch %d, %.1f s of fit", best.testAccuracy, best.epoch,
                best.fitSeconds)
        } else {
            value = "no epoch ran"
        }
        checks.append((name, timeTo.reached != nil, value))
    }
    return checks
}

/// Runs `arguments` (this executable as a child) and decodes the JSON it wrote to `--out`.
func childReport<Report: Decodable>(_ type: Report.Type, _ name: String, _ arguments: [String]) throws -> Report {
    let output = NSTemporaryDirectory() + "dnb-bench-\(name)-\(getpid()).json"
    defer { try? FileManager.default.removeItem(atPath: output) }
    var arguments = arguments + ["--out", output, "--threads", "\(options.threads)"]
    if let data = options.dataPath { arguments += ["--data", data] }
    let outcome = try runChild([executablePath()] + arguments)
    guard outcome.status == 0 else { fail("\(name) failed (exit \(outcome.status))") }
    return try JSONDecoder().decode(type, from: Data(contentsOf: URL(fileURLWithPath: output)))
}

let options = parseOptions(Array(CommandLine.arguments.dropFirst()))
do {
    if let child = options.child {
        let encoded: Data
        switch child.task {
        case .recipe(let recipe):
            encoded = try JSONEncoder().encode(
                runRecipe(
                    recipe, input: options.input, threads: options.threads, repeats: options.repeats,
                    dataPath: options.dataPath))
        case .augmentation:
            encoded = try JSONEncoder().encode(
                runAugmentationShare(
                    Recipe.batchNormalizedConvnet, threads: options.threads, runs: options.augmentationRuns,
                    dataPath: options.dataPath))
        case .timeTo(let target):
            var recipe = Recipe.convnetNotebook
            if let epochs = options.epochs { recipe.epochs = epochs }
            encoded = try JSONEncoder().encode(
                runTimeTo(target, recipe: recipe, threads: options.threads, dataPath: options.dataPath))
        }
        try encoded.write(to: URL(fileURLWithPath: child.output))
        exit(0)
    }
    // Measured before the recipes, with the machine as quiet as this run finds it.
    let peak = PeakReport.measure()
    var reports: [RecipeReport] = []
    for recipe in options.recipes {
        var arguments = ["--child", recipe.name, "--repeats", "\(options.repeats)", "--input", options.input.rawValue]
        if let epochs = options.epochs { arguments = ["--epochs", "\(epochs)"] + arguments }
        reports.append(try childReport(RecipeReport.self, "recipe \(recipe.name)", arguments))
    }
    let notebook = try options.notebook.flatMap(measureNotebook)
    var report = BenchReport(loadAverage: loadAverage(), peak: peak, recipes: reports, notebook: notebook)
    if options.augmentation {
        report.augmentation = try childReport(
            AugmentationReport.self, "augmentation",
            ["--child-augmentation", "--augmentation-runs", "\(options.augmentationRuns)"])
    }
    if let target = options.timeTo {
        var arguments = ["--child-time-to", "\(target)"]
        if let epochs = options.epochs { arguments = ["--epochs", "\(epochs)"] + arguments }
        report.timeTo = try childReport(TimeToReport.self, "time-to", arguments)
    }
    if options.speedrun {
        guard FileManager.default.fileExists(atPath: speedrunNotebook) else {
            fail("no \(speedrunNotebook) here: run dnb-bench from the repository's root")
        }
        report.speedrun = try measureNotebook(speedrunNotebook)
    }
    report.loadAverage = loadAverage()
    printTable(report, options: options)
    if let path = options.jsonPath {
        try JSONEncoder().encode(report).write(to: URL(fileURLWithPath: path))
    }
} catch {
    fail("\(error)")
}
