// Which model file format a path asks for (its extension decides) and which
// one a file's bytes hold (their first bytes tell), so `save model` and
// `load model` pick the writer and reader, refuse other extensions, and name
// the format found when the contents do not match the name.

/// A model file format dnb reads or writes.
public enum ModelFormat: String, CaseIterable, Sendable {
    /// dnb's own: safetensors with dnb's metadata (Engine/ModelFiles/ModelFile.swift).
    case safetensors
    /// Keras 3's zip of `config.json`, `model.weights.h5` and `metadata.json`.
    case keras
    /// Keras's legacy HDF5 file (`model.save("m.h5")`), read only.
    case h5
    /// An ONNX model (protobuf `ModelProto`), written only.
    case onnx

    /// `.safetensors`, `.keras`, `.h5`, `.onnx`.
    public var fileExtension: String { "." + rawValue }

    /// How errors name it: `a safetensors file`, `a Keras .keras file`, ...
    public var title: String {
        switch self {
        case .safetensors: "a safetensors file"
        case .keras: "a Keras .keras file (a zip archive)"
        case .h5: "an HDF5 file (Keras's legacy .h5)"
        case .onnx: "an ONNX file"
        }
    }

    /// The formats `save model` writes, default first.
    public static let writable: [ModelFormat] = [.safetensors, .keras, .onnx]
    /// The formats `load model` reads.
    public static let readable: [ModelFormat] = [.safetensors, .keras, .h5]

    /// The format a file name asks for by its extension (any case), or nil.
    public init?(path: String) {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        let suffix = path[path.index(after: dot)...].lowercased()
        guard let format = ModelFormat(rawValue: suffix) else { return nil }
        self = format
    }

    /// `.safetensors, .keras or .onnx`: a list for messages.
    public static func list(_ formats: [ModelFormat]) -> String {
        let names = formats.map(\.fileExtension)
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
    }

    /// What `bytes` hold, judged by their first bytes: an HDF5 signature,
    /// a zip local header, a safetensors header length followed by `{`, or
    /// a protobuf whose first field is ONNX's `ir_version`; nil for none of them.
    public static func detect(_ bytes: [UInt8]) -> ModelFormat? {
        if bytes.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]) { return .h5 }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .keras }
        if bytes.count >= 10 {
            var length: UInt64 = 0
            for k in 0..<8 { length |= UInt64(bytes[k]) << (8 * UInt64(k)) }
            if length >= 2, length <= UInt64(bytes.count - 8), bytes[8] == UInt8(ascii: "{") { return .safetensors }
        }
        // ModelProto field 1 (ir_version, varint) comes first in every writer seen.
        if bytes.count >= 2, bytes[0] == 0x08, bytes[1] > 0, bytes[1] < 0x80 { return .onnx }
        return nil
    }

    /// Why `bytes` cannot be read as `self`, when their contents say they
    /// are another format (or none dnb knows); nil when they may be `self`.
    public func mismatch(_ bytes: [UInt8]) -> ModelFormatError? {
        let found = ModelFormat.detect(bytes)
        if found == self { return nil }
        // A safetensors file that is not dnb's, or damaged, is for its own reader to explain.
        if self == .safetensors, found == nil { return nil }
        return .wrongContents(expected: self, found: found)
    }
}

/// Why a model file cannot be read or written in a given format. Never
/// names the file: the caller adds it.
public enum ModelFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file's extension says `expected` but its bytes are `found` (nil: nothing dnb knows).
    case wrongContents(expected: ModelFormat, found: ModelFormat?)
    /// The container or its parts are damaged or not what Keras writes.
    case malformed(String)
    /// A Keras layer dnb has no counterpart for, or one whose options it cannot follow.
    case unsupportedLayer(className: String, name: String, reason: String)
    /// The model is not a sequential stack of layers.
    case notAStack(String)
    /// A weight is missing or has the wrong shape.
    case badWeights(layer: String, reason: String)
    /// dnb's model cannot be expressed in the format.
    case cannotWrite(String)
    /// The child process that decodes Keras files failed (crash, limit, timeout).
    case decoderFailed(String)

    public var description: String {
        switch self {
        case .wrongContents(let expected, let found):
            let what = found.map { "this is \($0.title)" } ?? "this is not a model file dnb knows"
            return "\(what), not \(expected.title) as its name says"
                + (found.map { ModelFormat.readable.contains($0) ? "; rename it to end in \($0.fileExtension)" : "" } ?? "")
        case .malformed(let reason): return reason
        case .unsupportedLayer(let className, let name, let reason):
            return "layer \"\(name)\" (\(className)): \(reason)"
        case .notAStack(let reason): return "not a sequential stack of layers: \(reason)"
        case .badWeights(let layer, let reason): return "layer \"\(layer)\": \(reason)"
        case .cannotWrite(let reason): return reason
        case .decoderFailed(let reason): return reason
        }
    }
}
