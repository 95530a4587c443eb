import Datasets
import Engine
import JSON
import ModelFormats

// The Keras readers' own code, in process: a model config (JSON) read into
// dnb's layers and its weights assembled, and a .keras archive up to its
// config. The HDF5 inside a .keras or .h5 file is parsed by libhdf5 only in
// the child process `load model` starts (HostIO/ModelReaderProcess.swift),
// where a crash is an error message; its damaged-file tests are in
// InterpreterTests/ModelFormatCommandTests.

extension FuzzTargets {
    /// A Keras `config.json`: layers, input shape, scaling, optimizer, then
    /// the weights assembled from zeros of the shapes the layers expect.
    public static let kerasConfig = FuzzTarget(
        name: "keras-config", summary: "a Keras model config (config.json, model_config)",
        maximumLength: 1 << 18, maximumExpandedLength: 1 << 18, dictionary: nil
    ) { bytes in
        outcome { () throws(ModelFormatError) in _ = try KerasFuzzing.config(bytes) }
    }

    /// A `.keras` zip archive up to its config (ModelFormat.detect, the zip
    /// directory, config.json).
    public static let kerasArchive = FuzzTarget(
        name: "keras-archive", summary: "a .keras archive's zip and config.json",
        maximumLength: 1 << 20, maximumExpandedLength: 1 << 20, dictionary: nil
    ) { bytes in
        outcome { () throws(ModelFormatError) in _ = try KerasFuzzing.archive(bytes) }
    }

    static func outcome(_ body: () throws(ModelFormatError) -> Void) -> FuzzOutcome {
        do {
            try body()
            return .accepted
        } catch {
            return .refused(error.description)
        }
    }
}
