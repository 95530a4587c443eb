// One entry point per direction: a dnb `ModelFile` to the bytes of a format,
// and the bytes of a format to a `ModelFile`. The Keras reader runs libhdf5
// on files dnb did not write, so the interpreter calls `decode` only inside a
// child process (ModelFileReader.swift); everything else runs in-process.

import Engine

/// Model files in every format dnb knows.
public enum ModelCodec {
    /// The bytes of `file` in `format`. Throws `cannotWrite` for `.h5`, which dnb reads only.
    public static func encode(_ file: ModelFile, as format: ModelFormat) throws(ModelFormatError) -> [UInt8] {
        switch format {
        case .safetensors:
            do {
                return try file.encode()
            } catch {
                throw .cannotWrite(error.description)
            }
        case .keras: return try KerasArchive.encode(file)
        case .onnx: return try ONNXExport.encode(file)
        case .h5: throw .cannotWrite("dnb reads Keras's legacy .h5 files but writes .keras instead")
        }
    }

    /// The model in `bytes`, which the caller has checked hold `format`
    /// (see ``ModelFormat/mismatch(_:)``). For `.keras` and `.h5` this runs
    /// libhdf5: call it in a child process for files from elsewhere.
    public static func decode(_ bytes: [UInt8], as format: ModelFormat) throws(ModelFormatError) -> KerasImport {
        switch format {
        case .safetensors:
            do {
                return KerasImport(file: try ModelFile.decode(bytes), notes: [])
            } catch {
                throw .malformed(error.description)
            }
        case .keras: return try KerasArchive.decode(bytes)
        case .h5: return try KerasLegacyH5.decode(bytes)
        case .onnx: throw .malformed("dnb writes ONNX files but does not read them: load the model's .keras or .safetensors file")
        }
    }
}

/// A model read from another format, and what the user should know about
/// how it was read (`the last Dense layer gives logits: ...`).
public struct KerasImport: Sendable {
    public var file: ModelFile
    public var notes: [String]

    public init(file: ModelFile, notes: [String]) {
        self.file = file
        self.notes = notes
    }
}

extension ModelCodec {
    /// The metadata key that carries a child's notes back to the session.
    public static let notesKey = "import_notes"

    /// The child process's work (`dnb __read-model FORMAT`): the model in
    /// `input` as dnb's safetensors bytes with the notes in ``notesKey``, or
    /// the error's text.
    public static func childRead(format name: String, input: [UInt8]) -> Result<[UInt8], ModelFormatError> {
        guard let format = ModelFormat(rawValue: name) else { return .failure(.malformed("unknown format \(name)")) }
        do {
            var imported = try decode(input, as: format)
            imported.file.metadata[notesKey] = imported.notes.joined(separator: "\n")
            return .success(try imported.file.encode())
        } catch let error as ModelFormatError {
            return .failure(error)
        } catch {
            return .failure(.malformed("\(error)"))
        }
    }

    /// The model and notes a child wrote (see ``childRead(format:input:)``).
    public static func childResult(_ output: [UInt8]) throws(ModelFormatError) -> KerasImport {
        do {
            var file = try ModelFile.decode(output)
            let notes = file.metadata.removeValue(forKey: notesKey) ?? ""
            return KerasImport(file: file, notes: notes.isEmpty ? [] : notes.split(separator: "\n").map(String.init))
        } catch {
            throw .decoderFailed("the child process that read it gave a model dnb cannot use: \(error)")
        }
    }
}
