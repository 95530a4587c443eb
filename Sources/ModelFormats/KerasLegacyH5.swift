// Keras's legacy HDF5 model file (`model.save("m.h5")`, Keras 3 and tf.keras 2):
//
//     /                      attributes model_config (JSON), training_config (JSON),
//                            keras_version, backend; fixed- or variable-length strings
//     /model_weights         attribute layer_names
//     /model_weights/<layer> attribute weight_names, e.g. ["sequential/dense/kernel",
//                            "sequential/dense/bias"] (Keras 3) or ["dense/kernel:0", ...]
//                            (tf.keras 2); each a dataset at /model_weights/<layer>/<weight name>
//     /optimizer_weights     attribute weight_names: iteration, learning_rate, then Keras 3's
//                            <var>_momentum, <var>_velocity per variable

import Engine
import JSON

enum KerasLegacyH5 {
    static func decode(_ bytes: [UInt8]) throws(ModelFormatError) -> KerasImport {
        let hdf5: HDF5Reader
        do {
            hdf5 = try HDF5Reader(image: bytes)
        } catch {
            throw .malformed(error.reason)
        }
        func attribute(_ path: String, _ name: String) throws(ModelFormatError) -> [String]? {
            do {
                return try hdf5.strings(path, attribute: name)
            } catch {
                throw .malformed(error.reason)
            }
        }
        guard let configText = try attribute("/", "model_config")?.first else {
            if hdf5.exists("layers") || hdf5.exists("model_weights") {
                throw .malformed("an HDF5 file of weights only (model.save_weights): it has no model_config to say the layers")
            }
            throw .malformed("an HDF5 file without Keras's model_config attribute")
        }
        func json(_ text: String, _ what: String) throws(ModelFormatError) -> JSONValue {
            do {
                return try JSONValue.parse(Array(text.utf8))
            } catch {
                throw .malformed("its \(what) attribute is not valid JSON (byte \(error.offset): \(error.reason))")
            }
        }
        let config = try json(configText, "model_config")
        let training = try attribute("/", "training_config")?.first.map { text throws(ModelFormatError) in
            try json(text, "training_config")
        }
        let read = try KerasConfig.read(config, training: training)
        let root = hdf5.exists("model_weights") ? "model_weights" : ""
        func datasets(_ group: String) throws(ModelFormatError) -> [(shape: [Int], values: [Float])]? {
            let path = root.isEmpty ? group : "\(root)/\(group)"
            guard hdf5.exists(path), let names = try attribute(path, "weight_names") else { return nil }
            var tensors: [(shape: [Int], values: [Float])] = []
            for name in names {
                do throws(HDF5Error) {
                    tensors.append(try hdf5.floats("\(path)/\(name)", limit: Architecture.maximumParameterCount))
                } catch {
                    throw .badWeights(layer: group, reason: error.reason)
                }
            }
            return tensors
        }
        let optimizer = { () throws(ModelFormatError) -> [[Float]] in
            guard hdf5.exists("optimizer_weights"), let names = try attribute("optimizer_weights", "weight_names") else {
                return []
            }
            // Keras 3 names its slots <var>_momentum / <var>_velocity in Keras 3's order; tf.keras 2's
            // (Adam/dense/kernel/m:0, ...) come in another order, which dnb does not reorder.
            guard names.count >= 2, names[0].hasSuffix("iteration") else { return [[]] }
            var values: [[Float]] = []
            for name in names {
                do throws(HDF5Error) {
                    values.append(try hdf5.floats("optimizer_weights/\(name)", limit: Architecture.maximumParameterCount).values)
                } catch {
                    throw .malformed("optimizer_weights: \(error.reason)")
                }
            }
            return values
        }
        let store = KerasWeightStore(
            layer: { (source: KerasLayerIn) throws(ModelFormatError) in try datasets(source.name) }, optimizer: optimizer)
        return try read.assemble(store)
    }
}
