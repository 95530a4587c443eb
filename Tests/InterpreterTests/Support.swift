import Foundation
import HostIO
import Language

@testable import Interpreter

/// A session whose output is collected as text, in a fresh temporary folder.
final class Harness {
    let directory: String
    var lines: [String] = []
    var host: any HostServices = LocalHost()
    lazy var session = Session(
        environment: Environment(variables: variables, currentDirectory: directory, homeDirectory: directory + "/home"),
        host: host,
        emit: { [unowned self] event in
            if case .text(let text) = event { self.lines.append(text) }
            if case .result(let text) = event { self.lines.append(text) }
            if case .plot(let script, let image, _) = event { self.lines.append("plot \(script) \(image ?? "-")") }
        })
    var variables: [String: String]

    init(variables: [String: String] = [:]) throws {
        directory = NSTemporaryDirectory() + "dnb-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/home", withIntermediateDirectories: true)
        self.variables = variables
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Runs notebook text; returns the rendered failure, if any.
    @discardableResult
    func run(_ source: String, file: String? = "test.dnb") -> String? {
        session.run(source: source, file: file)?.rendered
    }

    var output: String { lines.joined(separator: "\n") }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name))
    }
}

/// IDX bytes: magic, big-endian dims, then the data.
func idx(magic: UInt32, dims: [UInt32], data: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = []
    for value in [magic] + dims {
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
    return bytes + data
}

/// A tiny learnable data set: each 28x28 image of class k has a bright bar in row band k.
func barImages(count: Int, seed: Int) -> (images: [UInt8], labels: [UInt8]) {
    var images: [UInt8] = []
    var labels: [UInt8] = []
    var state = UInt64(seed) &* 6_364_136_223_846_793_005 &+ 1
    for index in 0..<count {
        let label = index % 10
        labels.append(UInt8(label))
        for row in 0..<28 {
            for _ in 0..<28 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let noise = UInt8(truncatingIfNeeded: state >> 59)  // 0...31
                let bright = row / 2 == label + 2
                images.append(bright ? 200 &+ noise : noise)
            }
        }
    }
    return (images, labels)
}

/// Writes train/test IDX fixtures into the harness folder.
func writeBarFixtures(_ harness: Harness, train: Int = 200, test: Int = 50) throws {
    let training = barImages(count: train, seed: 1)
    let testing = barImages(count: test, seed: 2)
    try harness.write("train-images", idx(magic: 0x803, dims: [UInt32(train), 28, 28], data: training.images))
    try harness.write("train-labels", idx(magic: 0x801, dims: [UInt32(train)], data: training.labels))
    try harness.write("test-images", idx(magic: 0x803, dims: [UInt32(test), 28, 28], data: testing.images))
    try harness.write("test-labels", idx(magic: 0x801, dims: [UInt32(test)], data: testing.labels))
}

/// Replaces timings (`0.31s`, `12.4s`, `2m05s`) so transcripts compare exactly.
func maskingTimes(_ text: String) -> String {
    text.replacing(/\d+m\d\ds|\d+\.\d+s/, with: "<t>")
}
