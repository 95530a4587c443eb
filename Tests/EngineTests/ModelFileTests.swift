import JSON
import Testing

@testable import Engine

// MARK: - Values to store

/// 5 inputs → Dense 4 relu → Dense 3 softmax: 5·4 + 4 + 4·3 + 3 = 39 parameters.
let smallArchitecture = Architecture(
    inputWidth: 5, layers: [DenseLayer(units: 4, activation: .relu), DenseLayer(units: 3, activation: .softmax)])
let smallParameterCount = 39

/// Deterministic values with the awkward ones a format must carry exactly:
/// -0, subnormals, the extremes, and values with no short decimal.
func awkwardFloats(_ count: Int, seed: UInt64) -> [Float] {
    let special: [Float] = [
        -0.0, .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
        1 / 3, .pi, 1e-38, -2 * .leastNonzeroMagnitude,
    ]
    var state = seed
    return (0..<count).map { index in
        if index < special.count, seed == 1 { return special[index] }
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(bitPattern: UInt32(truncatingIfNeeded: state >> 33) & 0x3FFF_FFFF | 0x3000_0000)
            * (state & 1 == 0 ? 1 : -1)
    }
}

func sameBits(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}

/// A model file of the small architecture with `optimizer`'s state (if any) and `scaling`.
func sampleFile(
    optimizer: Optimizer? = .adam(learningRate: 0.0003), slotCount: Int = 2, scaling: InputScaling = .scale
) -> ModelFile {
    let state = optimizer.map { optimizer in
        OptimizerState(
            optimizer: optimizer, iterations: 1500,
            slots: (0..<slotCount).map { awkwardFloats(smallParameterCount, seed: UInt64(10 + $0)) })
    }
    return ModelFile(
        architecture: smallArchitecture, parameters: awkwardFloats(smallParameterCount, seed: 1),
        optimizerState: state, inputScaling: scaling, epochs: 3,
        metadata: ["loss": "0.0712", "accuracy": "0.9781", "note": "ünïcode \"quoted\"\n"])
}

/// The header of a model file, and its data part.
func split(_ bytes: [UInt8]) -> (header: JSONValue, data: [UInt8]) {
    var length = 0
    for k in 0..<8 { length |= Int(bytes[k]) << (8 * k) }
    let header = (try? JSONValue.parse(bytes[8..<8 + length])) ?? .null
    return (header, Array(bytes[(8 + length)...]))
}

/// A file with the same data and a header changed by `change`.
func rewritingHeader(_ bytes: [UInt8], _ change: (inout [JSONValue.Member]) -> Void) -> [UInt8] {
    let (header, data) = split(bytes)
    guard case .object(var members) = header else { return bytes }
    change(&members)
    return assemble(header: JSONValue.object(members).serialized, data: data)
}

/// Safetensors bytes from header text and data.
func assemble(header: String, data: [UInt8]) -> [UInt8] {
    let text = Array(header.utf8)
    return (0..<8).map { UInt8(truncatingIfNeeded: text.count >> (8 * $0)) } + text + data
}

/// Replaces tensor `name`'s field `field` in a header's members.
func setTensorField(_ members: inout [JSONValue.Member], _ name: String, _ field: String, _ value: JSONValue) {
    guard let index = members.firstIndex(where: { $0.key == name }),
        case .object(var fields) = members[index].value,
        let fieldIndex = fields.firstIndex(where: { $0.key == field })
    else { return }
    fields[fieldIndex].value = value
    members[index].value = .object(fields)
}

/// Replaces metadata entry `key` (nil removes it).
func setMetadata(_ members: inout [JSONValue.Member], _ key: String, _ value: String?) {
    guard let index = members.firstIndex(where: { $0.key == "__metadata__" }),
        case .object(var fields) = members[index].value
    else { return }
    fields.removeAll { $0.key == key }
    if let value { fields.append(.init(key: key, value: .string(value))) }
    members[index].value = .object(fields)
}

/// What `decode` throws for `bytes` (nil when it succeeds).
func decodeError(_ bytes: [UInt8]) -> ModelFileError? {
    do {
        _ = try ModelFile.decode(bytes)
        return nil
    } catch {
        return error
    }
}

// MARK: - Round trip

@Suite("Model file round trip")
struct ModelFileRoundTripTests {
    static let cases: [(String, Optimizer?, Int, InputScaling)] = [
        ("adam, scale", .adam(learningRate: 0.0003), 2, .scale),
        ("no optimizer state", nil, 0, .scale),
        ("sgd with momentum", .sgd(learningRate: 0.05, momentum: 0.9, nesterov: true), 1, .scale),
        ("plain sgd", .sgd(), 0, .scale),
        ("rmsprop", .rmsprop(), 1, .scale),
        ("rmsprop with momentum", .rmsprop(learningRate: 0.01, rho: 0.8, momentum: 0.5, epsilon: 1e-6), 2, .scale),
        (
            "adam, standardize", .adam(), 2,
            .standardize(mean: awkwardFloats(5, seed: 3), std: awkwardFloats(5, seed: 4).map { abs($0) + 0.5 })
        ),
    ]

    @Test("encode then decode gives back every value bit for bit", arguments: cases)
    func roundTrip(name: String, optimizer: Optimizer?, slots: Int, scaling: InputScaling) throws {
        let original = sampleFile(optimizer: optimizer, slotCount: slots, scaling: scaling)
        let bytes = try original.encode()
        let decoded = try ModelFile.decode(bytes)
        #expect(decoded.architecture == original.architecture)
        #expect(sameBits(decoded.parameters, original.parameters))
        #expect(decoded.epochs == 3)
        #expect(decoded.metadata == original.metadata)
        switch (decoded.inputScaling, original.inputScaling) {
        case (.scale, .scale): break
        case (.standardize(let m1, let s1), .standardize(let m2, let s2)):
            #expect(sameBits(m1, m2) && sameBits(s1, s2))
        default: Issue.record("scaling \(decoded.inputScaling) != \(original.inputScaling)")
        }
        #expect(decoded.optimizerState?.optimizer == original.optimizerState?.optimizer)
        #expect(decoded.optimizerState?.iterations == original.optimizerState?.iterations)
        #expect(decoded.optimizerState?.slots.count == original.optimizerState?.slots.count)
        for (a, b) in zip(decoded.optimizerState?.slots ?? [], original.optimizerState?.slots ?? []) {
            #expect(sameBits(a, b))
        }
        // Re-encoding what was read writes the same bytes.
        #expect(try decoded.encode() == bytes)
    }

    @Test("the file is standard safetensors: aligned header, Keras names, little-endian F32")
    func layout() throws {
        let file = sampleFile()
        let bytes = try file.encode()
        let (header, data) = split(bytes)
        let headerLength = bytes.count - 8 - data.count
        #expect((8 + headerLength) % 8 == 0)
        #expect(bytes[8] == UInt8(ascii: "{"))
        #expect(data.count == 4 * smallParameterCount * 3)  // parameters, momentum, velocity
        #expect(header["dense.kernel"]?["shape"] == .array([.number(5), .number(4)]))
        #expect(header["dense_1.bias"]?["shape"] == .array([.number(3)]))
        #expect(header["optimizer.velocity.dense_1.kernel"]?["dtype"] == .string("F32"))
        #expect(header["dense.kernel"]?["data_offsets"] == .array([.number(0), .number(80)]))
        let meta = header["__metadata__"]
        #expect(meta?["format"] == .string("dnb-model"))
        #expect(meta?["version"] == .string("1"))
        #expect(meta?["created_by"] == .string("dnb"))
        #expect(meta?["normalization"] == .string("scale"))
        #expect(meta?["epochs"] == .string("3"))
        #expect(
            meta?["architecture"]
                == .string(
                    #"{"input_width":5,"layers":[{"name":"dense","class_name":"Dense","units":4,"activation":"relu"},"#
                        + #"{"name":"dense_1","class_name":"Dense","units":3,"activation":"softmax"}]}"#))
        #expect(
            meta?["optimizer"]
                == .string(
                    #"{"name":"adam","learning_rate":0.0003,"beta_1":0.9,"beta_2":0.999,"epsilon":1e-07,"#
                        + #""iterations":1500,"slots":["momentum","velocity"]}"#))
        // dense.kernel[0][0] is the first parameter, little-endian.
        let first = UInt32(data[0]) | UInt32(data[1]) << 8 | UInt32(data[2]) << 16 | UInt32(data[3]) << 24
        #expect(first == file.parameters[0].bitPattern)
    }

    @Test("tensors stored in another order, as other tools write them, are read")
    func otherOrder() throws {
        let file = sampleFile()
        let (header, data) = split(try file.encode())
        guard case .object(let members) = header else {
            Issue.record("header is not an object")
            return
        }
        // The data blocks reversed, the header's entries sorted by name.
        var entries: [JSONValue.Member] = []
        var reordered: [UInt8] = []
        for member in members.reversed() where member.key != "__metadata__" {
            guard case .array(let offsets)? = member.value["data_offsets"], let begin = offsets[0].integer,
                let end = offsets[1].integer, case .object(var fields) = member.value
            else { continue }
            fields.removeAll { $0.key == "data_offsets" }
            fields.append(
                .init(key: "data_offsets", value: .array([.number(reordered.count), .number(reordered.count + end - begin)])))
            reordered += data[begin..<end]
            entries.append(.init(key: member.key, value: .object(fields)))
        }
        entries.sort { $0.key < $1.key }
        let metadata = members.filter { $0.key == "__metadata__" }
        let decoded = try ModelFile.decode(assemble(header: JSONValue.object(entries + metadata).serialized, data: reordered))
        #expect(sameBits(decoded.parameters, file.parameters))
        #expect(sameBits(decoded.optimizerState?.slots[1] ?? [], file.optimizerState?.slots[1] ?? []))
    }

    @Test("standardize stores its statistics as tensors")
    func standardizeTensors() throws {
        let bytes = try sampleFile(scaling: .standardize(mean: [0, 1, 2, 3, 4], std: [1, 1, 2, 2, 3])).encode()
        let (header, _) = split(bytes)
        #expect(header["__metadata__"]?["normalization"] == .string("standardize"))
        #expect(header["normalization.mean"]?["shape"] == .array([.number(5)]))
        #expect(header["normalization.std"]?["shape"] == .array([.number(5)]))
    }
}

// MARK: - Refusals

@Suite("Model file refusals")
struct ModelFileRefusalTests {
    let good: [UInt8] = (try? sampleFile().encode()) ?? []

    @Test("truncated files are refused with the size they should have")
    func truncated() {
        #expect(decodeError(Array(good.prefix(5))) == .truncated(expectedBytes: 8, actualBytes: 5))
        let headerEnd = good.count - 4 * smallParameterCount * 3
        #expect(
            decodeError(Array(good.prefix(headerEnd - 10))) == .truncated(expectedBytes: headerEnd, actualBytes: headerEnd - 10))
        #expect(decodeError(Array(good.dropLast())) == .truncated(expectedBytes: good.count, actualBytes: good.count - 1))
        #expect(decodeError([]) == .truncated(expectedBytes: 8, actualBytes: 0))
    }

    @Test("a header length beyond reason is refused before reading on")
    func badHeaderLength() {
        var huge = good
        for k in 0..<8 { huge[k] = 0xFF }
        guard case .notSafetensors(let reason)? = decodeError(huge) else {
            Issue.record("expected notSafetensors")
            return
        }
        #expect(reason.contains("limit"))
        var tiny = good
        tiny[0] = 1
        for k in 1..<8 { tiny[k] = 0 }
        #expect(decodeError(tiny).map { if case .notSafetensors = $0 { true } else { false } } == true)
    }

    @Test("a header that is not JSON is refused", arguments: ["{\"a\":1,}", "[1,2]", "{\"a\":01}", "{\"a\":\"\u{01}\"}", "{} x"])
    func badJSON(header: String) {
        guard case .notSafetensors? = decodeError(assemble(header: header, data: [])) else {
            Issue.record(
                "\(header) was not refused as not safetensors: \(String(describing: decodeError(assemble(header: header, data: []))))"
            )
            return
        }
    }

    @Test("invalid UTF-8 in the header is refused")
    func badUTF8() {
        var bytes = assemble(header: "{\"__metadata__\":{\"format\":\"dnb-model\"}}", data: [])
        bytes[20] = 0xC3  // a lead byte followed by ASCII
        guard case .notSafetensors(let reason)? = decodeError(bytes) else {
            Issue.record("expected notSafetensors")
            return
        }
        #expect(reason.contains("UTF-8"))
    }

    @Test("a safetensors file from another tool is refused as not a dnb model")
    func foreign() throws {
        let weights = #"{"weight":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let error = decodeError(assemble(header: weights, data: [UInt8](repeating: 0, count: 8)))
        #expect(error == .notDnbModel(reason: "no dnb metadata"))
        #expect(error?.description == "not a dnb model: no dnb metadata — was it saved by another tool?")
        let torch = #"{"__metadata__":{"format":"pt"},"weight":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#
        #expect(
            decodeError(assemble(header: torch, data: [0, 0, 0, 0]))
                == .notDnbModel(reason: "its metadata says format \"pt\", not \"dnb-model\""))
    }

    @Test("a newer format version is refused with a hint")
    func newerVersion() {
        let bytes = rewritingHeader(good) { setMetadata(&$0, "version", "2") }
        #expect(decodeError(bytes) == .unsupportedVersion(found: "2"))
        #expect(decodeError(bytes)?.description.contains("update dnb") == true)
    }

    @Test("a dtype other than F32 is refused")
    func wrongDtype() {
        let bytes = rewritingHeader(good) { setTensorField(&$0, "dense.bias", "dtype", .string("F16")) }
        #expect(
            decodeError(bytes)
                == .badTensor(name: "dense.bias", reason: "has dtype F16, but dnb models hold F32 (float32) only"))
    }

    @Test("a shape that disagrees with the architecture is refused")
    func shapeMismatch() {
        let bytes = rewritingHeader(good) { setTensorField(&$0, "dense.kernel", "shape", .array([.number(4), .number(5)])) }
        #expect(
            decodeError(bytes)
                == .badTensor(name: "dense.kernel", reason: "has shape [4, 5] but the architecture needs [5, 4]"))
        let widened = rewritingHeader(good) {
            setMetadata(
                &$0, "architecture",
                #"{"input_width":6,"layers":[{"units":4,"activation":"relu"},{"units":3,"activation":"softmax"}]}"#)
        }
        guard case .badTensor(name: "dense.kernel", _)? = decodeError(widened) else {
            Issue.record("expected a shape mismatch, got \(String(describing: decodeError(widened)))")
            return
        }
    }

    @Test("offsets outside the data, overlapping, or leaving gaps are refused")
    func badOffsets() {
        let dataLength = 4 * smallParameterCount * 3
        let outside = rewritingHeader(good) {
            setTensorField(&$0, "dense.bias", "data_offsets", .array([.number(dataLength), .number(dataLength + 16)]))
        }
        #expect(
            decodeError(outside)
                == .badTensor(
                    name: "dense.bias",
                    reason: "has data_offsets [\(dataLength), \(dataLength + 16)] outside the \(dataLength) bytes of data"))
        let overlapping = rewritingHeader(good) {
            setTensorField(&$0, "dense.bias", "data_offsets", .array([.number(0), .number(16)]))
        }
        guard case .badTensor(_, let reason)? = decodeError(overlapping) else {
            Issue.record("overlap not refused")
            return
        }
        #expect(reason.contains("overlaps"))
        let wrongSize = rewritingHeader(good) {
            setTensorField(&$0, "dense.bias", "data_offsets", .array([.number(80), .number(84)]))
        }
        guard case .badTensor(name: "dense.bias", let sizeReason)? = decodeError(wrongSize) else {
            Issue.record("wrong size not refused")
            return
        }
        #expect(sizeReason.contains("4 float32 values"))
        let negative = rewritingHeader(good) {
            setTensorField(&$0, "dense.bias", "data_offsets", .array([.number(-16), .number(0)]))
        }
        #expect(decodeError(negative).map { if case .badTensor = $0 { true } else { false } } == true)
    }

    @Test("extra bytes after the last tensor are refused")
    func trailingBytes() {
        guard case .notSafetensors(let reason)? = decodeError(good + [0, 0, 0, 0]) else {
            Issue.record("trailing bytes not refused")
            return
        }
        #expect(reason.contains("4 bytes after the last tensor"))
    }

    @Test("missing and unexpected tensors are refused")
    func missingAndExtra() {
        let missing = rewritingHeader(good) { $0.removeAll { $0.key == "optimizer.momentum.dense.bias" } }
        #expect(decodeError(missing) == .badTensor(name: "optimizer.momentum.dense.bias", reason: "is missing"))
        let extra = rewritingHeader(good) {
            $0.append(
                .init(
                    key: "dense_2.kernel",
                    value: .object([
                        .init(key: "dtype", value: .string("F32")), .init(key: "shape", value: .array([.number(0)])),
                        .init(key: "data_offsets", value: .array([.number(0), .number(0)])),
                    ])))
        }
        #expect(
            decodeError(extra) == .badTensor(name: "dense_2.kernel", reason: "is not part of a dnb model with this architecture"))
    }

    @Test("NaN and infinite values are refused", arguments: [Float.nan, .infinity, -.infinity])
    func nonFinite(value: Float) {
        var bytes = good
        let position = bytes.count - 4 * smallParameterCount * 3 + 4 * 7  // dense.kernel[1][3]
        let bits = value.bitPattern
        for k in 0..<4 { bytes[position + k] = UInt8(truncatingIfNeeded: bits >> (8 * UInt32(k))) }
        #expect(decodeError(bytes) == .badTensor(name: "dense.kernel", reason: "holds \(value) at index 7"))
    }

    @Test(
        "wrong or missing dnb metadata is refused, naming the entry",
        arguments: [
            ("architecture", nil), ("architecture", "{}"), ("architecture", "not json"),
            (
                "architecture",
                #"{"input_width":5,"layers":[{"units":4,"activation":"swish"},{"units":3,"activation":"softmax"}]}"#
            ),
            (
                "architecture",
                #"{"input_width":5,"layers":[{"units":-4,"activation":"relu"},{"units":3,"activation":"softmax"}]}"#
            ),
            ("normalization", "minmax"), ("normalization", nil), ("epochs", "three"), ("epochs", "-1"),
            ("optimizer", #"{"name":"adagrad"}"#), ("optimizer", #"{"name":"adam","learning_rate":0.001}"#),
            (
                "optimizer",
                #"{"name":"adam","learning_rate":-1,"beta_1":0.9,"beta_2":0.999,"epsilon":1e-07,"iterations":1,"slots":["momentum","velocity"]}"#
            ),
            (
                "optimizer",
                #"{"name":"adam","learning_rate":0.001,"beta_1":0.9,"beta_2":0.999,"epsilon":1e-07,"iterations":1,"slots":["m"]}"#
            ),
            ("version", nil),
        ] as [(String, String?)])
    func badMetadata(key: String, value: String?) {
        let bytes = rewritingHeader(good) { setMetadata(&$0, key, value) }
        guard case .badMetadata(let reported, _)? = decodeError(bytes) else {
            Issue.record("\(key)=\(value ?? "nil"): \(String(describing: decodeError(bytes)))")
            return
        }
        #expect(reported == key)
    }

    @Test("encode refuses values that do not fit together")
    func encodeRefusals() {
        var file = sampleFile()
        file.parameters.removeLast()
        #expect(throws: ModelFileError.cannotSave(reason: "the architecture needs 39 parameters but the model has 38")) {
            try file.encode()
        }
        file = sampleFile()
        file.parameters[3] = .nan
        #expect(throws: ModelFileError.self) { try file.encode() }
        file = sampleFile()
        file.metadata["format"] = "mine"
        #expect(throws: ModelFileError.cannotSave(reason: "metadata key \"format\" is reserved for dnb's own use")) {
            try file.encode()
        }
        file = sampleFile(optimizer: .adam(), slotCount: 1)
        #expect(throws: ModelFileError.cannotSave(reason: "the adam optimizer cannot have 1 slot buffers")) {
            try file.encode()
        }
        file = sampleFile(scaling: .standardize(mean: [0], std: [1]))
        #expect(throws: ModelFileError.self) { try file.encode() }
    }
}

// MARK: - JSON

@Suite("JSONValue")
struct JSONValueTests {
    @Test("serialising then parsing gives the same value")
    func roundTrip() throws {
        let value = JSONValue.object([
            .init(key: "a", value: .array([.number(1), .number("-0.5e+3"), .bool(true), .bool(false), .null])),
            .init(key: "quote \" back \\ tab \t nl \n ctl \u{01}", value: .string("ünïcödé 🙂 /")),
            .init(key: "", value: .object([])),
        ])
        #expect(try JSONValue.parse(Array(value.serialized.utf8)) == value)
    }

    @Test("floats keep their exact bits through the text")
    func floatSpelling() {
        for value: Float in [0.001, 1e-7, 0.9, 0.999, 1 / 3, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -0.0] {
            #expect(JSONValue.number(value).float?.bitPattern == value.bitPattern)
        }
    }

    @Test("escapes and surrogate pairs decode")
    func escapes() throws {
        let text = #"["\u00e9\ud83d\ude00\n\/"]"#
        #expect(try JSONValue.parse(Array(text.utf8)) == .array([.string("é😀\n/")]))
    }

    @Test(
        "strict: malformed documents are refused",
        arguments: [
            "", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "NaN", "Infinity", "'a'", "{a:1}",
            "{\"a\":1 \"b\":2}", "{\"a\":1,\"a\":2}", "\"\\ud800\"", "\"\\x\"", "\"tab\there\"", "[1] [2]", "tru",
            String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
        ])
    func refusals(text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array(text.utf8)) }
    }

    @Test("integers are plain digits that fit")
    func integers() {
        #expect(JSONValue.number("42").integer == 42)
        #expect(JSONValue.number("4.0").integer == nil)
        #expect(JSONValue.number("1e3").integer == nil)
        #expect(JSONValue.number("99999999999999999999").integer == nil)
    }
}

// MARK: - With the real engine (skipped while Model is the contract skeleton)

/// True once the engine's real `Model` (which stores parameters) is merged.
@Suite("Model file with a trained model")
struct ModelFileModelTests {
    /// 40 examples of 5 features in 3 separable classes.
    func examples() throws -> Examples {
        var features: [Float] = []
        var labels: [UInt8] = []
        for index in 0..<40 {
            let label = index % 3
            labels.append(UInt8(label))
            for j in 0..<5 { features.append(j == label ? 1 : Float((index * 7 + j * 3) % 10) / 20) }
        }
        return try Examples(features: features, labels: labels, width: 5)
    }

    @Test("a saved model loads with the same parameters, predictions and optimizer state")
    func saveLoad() throws {
        let model = try Model(architecture: smallArchitecture, seed: 7)
        let data = try examples()
        let optimizer = Optimizer.adam()
        _ = try model.fit(
            data, validation: nil, optimizer: optimizer,
            configuration: FitConfiguration(epochs: 2, batchSize: 8, shuffle: true, seed: 3),
            onBatch: { _ in true }, onEpoch: { _ in })
        let bytes = try ModelFile(model: model, inputScaling: .scale, epochs: 2, metadata: ["loss": "0.5"]).encode()
        let loaded = try ModelFile.decode(bytes).makeModel()
        #expect(sameBits(loaded.parameters, model.parameters))
        #expect(loaded.optimizerState?.iterations == model.optimizerState?.iterations)
        #expect(loaded.optimizerState?.optimizer == optimizer)
        for (a, b) in zip(loaded.optimizerState?.slots ?? [], model.optimizerState?.slots ?? []) { #expect(sameBits(a, b)) }
        let x = data.features
        #expect(sameBits(try loaded.predict(features: x, count: data.count), try model.predict(features: x, count: data.count)))
    }

    @Test("fit after save and load continues exactly where it stopped")
    func resume() throws {
        let data = try examples()
        let optimizer = Optimizer.adam(learningRate: 0.01)
        func train(_ model: Model, epochs: Int) throws {
            _ = try model.fit(
                data, validation: nil, optimizer: optimizer,
                configuration: FitConfiguration(epochs: epochs, batchSize: 8, shuffle: true, seed: 3),
                onBatch: { _ in true }, onEpoch: { _ in })
        }
        let straight = try Model(architecture: smallArchitecture, seed: 5)
        try train(straight, epochs: 2)

        let first = try Model(architecture: smallArchitecture, seed: 5)
        try train(first, epochs: 1)
        // The epoch count travels with the file, so the resumed fit shuffles as epoch 2 would.
        let epochs = first.optimizerState?.completedEpochs ?? 0
        #expect(epochs == 1)
        let resumed = try ModelFile.decode(try ModelFile(model: first, inputScaling: .scale, epochs: epochs).encode()).makeModel()
        try train(resumed, epochs: 1)
        #expect(sameBits(resumed.parameters, straight.parameters))
    }
}
