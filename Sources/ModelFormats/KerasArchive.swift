// Keras 3's `.keras` file: a zip of stored entries
//
//     metadata.json     {"keras_version": "3.15.1", "date_saved": ...}
//     config.json       the Sequential model's config (KerasConfig.swift)
//     model.weights.h5  HDF5: layers/<layer name>/vars/<i> per layer variable,
//                       optimizer/vars/0 iterations, /1 learning rate, then the
//                       slots (Adam: momentum, velocity per variable in turn)
//
// Keras 2.13 kept the same zip with `_layer_checkpoint_dependencies/<layer name>/vars`
// in place of `layers/...`.

import Datasets
import Engine
import JSON

enum KerasArchive {
    /// The Keras version written into metadata.json: the one the peer tests run.
    static let kerasVersion = "3.15.1"

    static func encode(_ file: ModelFile) throws(ModelFormatError) -> [UInt8] {
        let model = try KerasModel(file)
        let weights = try model.weightsHDF5()
        var dnb: [JSONValue.Member] = [.init(key: "epochs", value: .number(file.epochs))]
        for key in file.metadata.keys.sorted() { dnb.append(.init(key: key, value: .string(file.metadata[key] ?? ""))) }
        let metadata = JSONValue.object([
            .init(key: "keras_version", value: .string(kerasVersion)),
            .init(key: "date_saved", value: .string("1980-01-01@00:00:00")),
            .init(key: "dnb", value: .object(dnb)),
        ])
        return try ZipWriter.archive([
            ("metadata.json", Array(metadata.serialized.utf8)),
            ("config.json", Array(model.configJSON().serialized.utf8)),
            ("model.weights.h5", weights),
        ])
    }

    static func decode(_ bytes: [UInt8]) throws(ModelFormatError) -> KerasImport {
        let archive: ZipArchive
        do {
            archive = try ZipArchive(bytes, name: "")
        } catch {
            throw .malformed("not a readable zip archive: \(error.malformedReason)")
        }
        func entry(_ name: String, limit: Int) throws(ModelFormatError) -> [UInt8] {
            guard let found = archive.entry(named: name) else {
                throw .malformed(
                    "a .keras file holds config.json, model.weights.h5 and metadata.json; this one has no \(name)")
            }
            do {
                return try archive.contents(of: found, limit: limit)
            } catch {
                throw .malformed("\(name): \(error.malformedReason)")
            }
        }
        let configBytes = try entry("config.json", limit: 256 << 20)
        let config: JSONValue
        do {
            config = try JSONValue.parse(configBytes[...])
        } catch {
            throw .malformed("config.json is not valid JSON (byte \(error.offset): \(error.reason))")
        }
        let read = try KerasConfig.read(config)
        let weightBytes = try entry("model.weights.h5", limit: 1 << 30)
        let hdf5: HDF5Reader
        do {
            hdf5 = try HDF5Reader(image: weightBytes)
        } catch {
            throw .malformed("model.weights.h5: \(error.reason)")
        }
        let root = hdf5.exists("layers") ? "layers" : "_layer_checkpoint_dependencies"
        let store = KerasWeightStore(
            layer: { (source: KerasLayerIn) throws(ModelFormatError) -> [(shape: [Int], values: [Float])]? in
                // Keras 3 files the variables under the class-based name; Keras 2.13 under the layer's name.
                var group = "\(root)/\(source.savedName)/vars"
                if root != "layers" || !hdf5.exists(group) { group = "\(root)/\(source.name)/vars" }
                let layer = source.name
                guard hdf5.exists(group) else { return nil }
                var tensors: [(shape: [Int], values: [Float])] = []
                do throws(HDF5Error) {
                    while hdf5.exists("\(group)/\(tensors.count)") {
                        tensors.append(try hdf5.floats("\(group)/\(tensors.count)", limit: Architecture.maximumParameterCount))
                    }
                } catch {
                    throw .badWeights(layer: layer, reason: error.reason)
                }
                return tensors
            },
            optimizer: { () throws(ModelFormatError) -> [[Float]] in
                var values: [[Float]] = []
                do throws(HDF5Error) {
                    while hdf5.exists("optimizer/vars/\(values.count)") {
                        values.append(
                            try hdf5.floats("optimizer/vars/\(values.count)", limit: Architecture.maximumParameterCount).values)
                    }
                } catch {
                    throw .malformed("model.weights.h5: the optimizer's variables: \(error.reason)")
                }
                return values
            })
        var imported = try read.assemble(store)
        // dnb's own notes travel in metadata.json.
        if let metaBytes = try? entry("metadata.json", limit: 1 << 20),
            let meta = try? JSONValue.parse(metaBytes[...]), case .object(let members)? = meta["dnb"]
        {
            for member in members {
                if member.key == "epochs", let epochs = member.value.integer, epochs >= 0 {
                    imported.file.epochs = epochs
                    imported.file.optimizerState?.completedEpochs = epochs
                } else if let text = member.value.string, !ModelFile.reservedMetadataKeys.contains(member.key) {
                    imported.file.metadata[member.key] = text
                }
            }
        }
        return imported
    }
}

extension DatasetError {
    /// What is wrong, without the file name (the caller names the file).
    var malformedReason: String {
        if case .malformed(_, let reason) = self { return reason }
        return description
    }
}
