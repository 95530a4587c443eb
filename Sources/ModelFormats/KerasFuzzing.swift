// Entry points for the fuzzing harnesses (Fuzz/Targets/KerasHarnesses.swift):
// the Keras readers' Swift parts without libhdf5.

import Datasets
import Engine
import JSON

public enum KerasFuzzing {
    /// Reads a model config and assembles a model from zero weights of the
    /// shapes its layers expect (no optimizer variables).
    public static func config(_ bytes: [UInt8]) throws(ModelFormatError) -> ModelFile {
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw .malformed("not JSON: \(error.reason)")
        }
        let read = try KerasConfig.read(json)
        var shapes: [String: [[Int]]] = [:]
        if let rows = try? Architecture(inputShape: read.inputShape, stack: read.layers.map(\.spec)).summary() {
            var input = read.inputShape
            for (layer, row) in zip(read.layers, rows) {
                let weights = layer.spec.keras(input: input).weights
                shapes[layer.source.name] = (layer.omitsBias ? weights.filter { $0.name != "bias" } : weights).map(\.shape)
                input = row.outputShape
            }
        }
        let store = KerasWeightStore(
            layer: { (source: KerasLayerIn) throws(ModelFormatError) -> [(shape: [Int], values: [Float])]? in
                if source.className == "Normalization" { return [([1], [0]), ([1], [1])] }
                return shapes[source.name].map { list in
                    list.map { shape in (shape, [Float](repeating: 0, count: shape.reduce(1, *))) }
                }
            },
            optimizer: { () throws(ModelFormatError) -> [[Float]] in [] })
        return try read.assemble(store).file
    }

    /// Detects the format, reads the zip directory and parses config.json into layers.
    public static func archive(_ bytes: [UInt8]) throws(ModelFormatError) -> Int {
        if let mismatch = ModelFormat.keras.mismatch(bytes) { throw mismatch }
        let archive: ZipArchive
        do {
            archive = try ZipArchive(bytes, name: "")
        } catch {
            throw .malformed(error.malformedReason)
        }
        guard let entry = archive.entry(named: "config.json") else { throw .malformed("no config.json") }
        let config: [UInt8]
        do {
            config = try archive.contents(of: entry, limit: 1 << 20)
        } catch {
            throw .malformed(error.malformedReason)
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(config)
        } catch {
            throw .malformed("config.json is not JSON: \(error.reason)")
        }
        return try KerasConfig.read(json).layers.count
    }
}
