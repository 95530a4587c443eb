import JSON

// Reading a model file: every check happens before tensor storage is
// allocated, in the order a damaged file is most usefully explained
// (length, JSON, is it ours, metadata, tensor table, offsets, values).

extension ModelFile {
    /// Reads a model file's bytes (format in ModelFile.swift).
    ///
    /// Refuses, with a ``ModelFileError`` that says what is wrong:
    /// a file shorter than its header or data promise (`truncated`); a header
    /// length over ``maximumHeaderLength``, invalid UTF-8 or JSON
    /// (`notSafetensors`); a safetensors file without dnb's metadata
    /// (`notDnbModel`); a newer format version; missing or wrong metadata;
    /// missing, unexpected, non-F32 or wrongly shaped tensors; offsets out of
    /// range, overlapping, or not covering the data exactly; NaN or infinite
    /// values.
    public static func decode(_ bytes: [UInt8]) throws(ModelFileError) -> ModelFile {
        // Header length.
        guard bytes.count >= 8 else { throw .truncated(expectedBytes: 8, actualBytes: bytes.count) }
        var length: UInt64 = 0
        for k in 0..<8 { length |= UInt64(bytes[k]) << (8 * UInt64(k)) }
        guard length <= UInt64(maximumHeaderLength) else {
            throw .notSafetensors(reason: "the header length \(length) is over the \(maximumHeaderLength)-byte limit")
        }
        let headerLength = Int(length)
        guard headerLength >= 2 else {
            throw .notSafetensors(reason: "the header length \(headerLength) is too small for a JSON header")
        }
        guard 8 + headerLength <= bytes.count else {
            throw .truncated(expectedBytes: 8 + headerLength, actualBytes: bytes.count)
        }

        // Header JSON.
        let header: JSONValue
        do {
            header = try JSONValue.parse(bytes[8..<8 + headerLength])
        } catch {
            throw .notSafetensors(reason: "its header is not valid JSON (byte \(8 + error.offset): \(error.reason))")
        }
        guard case .object(let members) = header else {
            throw .notSafetensors(reason: "its header is not a JSON object")
        }

        // Is it ours?
        guard let metaValue = header["__metadata__"] else { throw .notDnbModel(reason: "no dnb metadata") }
        guard case .object(let metaMembers) = metaValue else {
            throw .notSafetensors(reason: "__metadata__ is not a JSON object")
        }
        var meta: [String: String] = [:]
        for member in metaMembers {
            guard let text = member.value.string else {
                throw .notSafetensors(reason: "__metadata__ value \"\(member.key)\" is not a string")
            }
            meta[member.key] = text
        }
        guard let format = meta["format"] else { throw .notDnbModel(reason: "no dnb metadata") }
        guard format == formatName else {
            throw .notDnbModel(reason: "its metadata says format \"\(format)\", not \"\(formatName)\"")
        }
        guard let version = meta["version"] else {
            throw .badMetadata(key: "version", reason: "is missing")
        }
        guard version == "\(formatVersion)" else {
            if let number = Int(version), number > formatVersion { throw .unsupportedVersion(found: version) }
            throw .badMetadata(key: "version", reason: "is \"\(version)\", expected \"\(formatVersion)\"")
        }

        // dnb's metadata.
        let architecture = try decodeArchitecture(meta["architecture"])
        let (parameterPlans, statePlans): ([TensorPlan], [TensorPlan])
        switch parameterTensors(architecture) {
        case .success(let plans): (parameterPlans, statePlans) = plans
        case .failure(let problem): throw .badMetadata(key: "architecture", reason: "is invalid: \(problem.reason)")
        }
        guard let normalization = meta["normalization"] else {
            throw .badMetadata(key: "normalization", reason: "is missing")
        }
        guard normalization == "scale" || normalization == "standardize" else {
            throw .badMetadata(
                key: "normalization", reason: "is \"\(normalization)\", expected \"scale\" or \"standardize\"")
        }
        guard let epochsText = meta["epochs"] else { throw .badMetadata(key: "epochs", reason: "is missing") }
        guard let epochs = Int(epochsText), epochs >= 0, epochsText.allSatisfy(\.isASCII) else {
            throw .badMetadata(key: "epochs", reason: "is \"\(epochsText)\", expected a whole number of epochs")
        }
        var optimizer: (optimizer: Optimizer, iterations: Int, slots: [String])?
        if let text = meta["optimizer"] { optimizer = try decodeOptimizer(text) }

        // The tensor table against the architecture.
        let plans = tensorPlans(
            parameters: parameterPlans, state: statePlans, inputWidth: architecture.inputWidth,
            standardized: normalization == "standardize", slots: optimizer?.slots ?? [])
        var entries: [String: (shape: [Int], begin: Int, end: Int)] = [:]
        for member in members where member.key != "__metadata__" {
            entries[member.key] = try decodeEntry(member)
        }
        let expected = Set(plans.map(\.name))
        if let extra = members.map(\.key).first(where: { $0 != "__metadata__" && !expected.contains($0) }) {
            throw .badTensor(name: extra, reason: "is not part of a dnb model with this architecture")
        }
        let dataLength = bytes.count - 8 - headerLength
        var needed = 0
        for plan in plans {
            guard let entry = entries[plan.name] else { throw .badTensor(name: plan.name, reason: "is missing") }
            guard entry.shape == plan.shape else {
                throw .badTensor(
                    name: plan.name, reason: "has shape \(entry.shape) but the architecture needs \(plan.shape)")
            }
            needed += plan.count * 4
        }
        guard needed <= dataLength else {
            throw .truncated(expectedBytes: 8 + headerLength + needed, actualBytes: bytes.count)
        }
        guard needed == dataLength else {
            throw .notSafetensors(
                reason: "it has \(dataLength - needed) bytes after the last tensor (expected \(needed) bytes of data)")
        }

        // Offsets: each the tensor's size, inside the data, together covering it exactly.
        for plan in plans {
            guard let entry = entries[plan.name] else { continue }
            guard entry.begin <= entry.end, entry.end <= dataLength else {
                throw .badTensor(
                    name: plan.name,
                    reason: "has data_offsets [\(entry.begin), \(entry.end)] outside the \(dataLength) bytes of data")
            }
            guard entry.end - entry.begin == plan.count * 4 else {
                throw .badTensor(
                    name: plan.name,
                    reason: "has data_offsets [\(entry.begin), \(entry.end)] for \(plan.count) float32 values "
                        + "(\(plan.count * 4) bytes)")
            }
        }
        let byBegin = plans.map(\.name).sorted { (entries[$0]?.begin ?? 0) < (entries[$1]?.begin ?? 0) }
        var covered = 0
        var previous = ""
        for name in byBegin {
            guard let entry = entries[name] else { continue }
            if entry.begin < covered {
                throw .badTensor(name: name, reason: "overlaps tensor \"\(previous)\" in the data")
            }
            if entry.begin > covered {
                throw .badTensor(name: name, reason: "starts at byte \(entry.begin), leaving a gap after byte \(covered)")
            }
            covered = entry.end
            previous = name
        }

        // Values.
        let dataStart = 8 + headerLength
        var tensors: [String: [Float]] = [:]
        for plan in plans {
            guard let entry = entries[plan.name] else { continue }
            let values = [Float](unsafeUninitializedCapacity: plan.count) { buffer, initialized in
                bytes.withUnsafeBytes { raw in
                    for index in 0..<plan.count {
                        let bits = raw.loadUnaligned(
                            fromByteOffset: dataStart + entry.begin + 4 * index, as: UInt32.self)
                        buffer[index] = Float(bitPattern: UInt32(littleEndian: bits))
                    }
                }
                initialized = plan.count
            }
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                throw .badTensor(name: plan.name, reason: "holds \(values[index]) at index \(index)")
            }
            tensors[plan.name] = values
        }

        var parameters: [Float] = []
        parameters.reserveCapacity(parameterPlans.reduce(0) { $0 + $1.count })
        for plan in parameterPlans { parameters += tensors[plan.name] ?? [] }
        let weightState = statePlans.flatMap { tensors[$0.name] ?? [] }
        var inputScaling = InputScaling.scale
        if normalization == "standardize" {
            let mean = tensors["normalization.mean"] ?? []
            let std = tensors["normalization.std"] ?? []
            if let index = std.firstIndex(where: { $0 <= 0 }) {
                throw .badTensor(name: "normalization.std", reason: "holds \(std[index]) at index \(index), not positive")
            }
            inputScaling = .standardize(mean: mean, std: std)
        }
        var state: OptimizerState?
        if let optimizer {
            var slots: [[Float]] = []
            for slot in optimizer.slots {
                var buffer: [Float] = []
                buffer.reserveCapacity(parameters.count)
                for plan in parameterPlans { buffer += tensors["optimizer.\(slot).\(plan.name)"] ?? [] }
                slots.append(buffer)
            }
            state = OptimizerState(
                optimizer: optimizer.optimizer, iterations: optimizer.iterations, slots: slots, completedEpochs: epochs)
        }
        let notes = meta.filter { !reservedMetadataKeys.contains($0.key) }
        return ModelFile(
            architecture: architecture, parameters: parameters, state: weightState, optimizerState: state,
            inputScaling: inputScaling,
            epochs: epochs, metadata: notes)
    }

    /// One tensor entry: `{"dtype":"F32","shape":[...],"data_offsets":[begin,end]}`.
    private static func decodeEntry(_ member: JSONValue.Member) throws(ModelFileError) -> (
        shape: [Int], begin: Int, end: Int
    ) {
        let name = member.key
        guard case .object(let fields) = member.value else {
            throw .badTensor(name: name, reason: "is not a JSON object with dtype, shape and data_offsets")
        }
        if let unknown = fields.first(where: { !["dtype", "shape", "data_offsets"].contains($0.key) }) {
            throw .badTensor(name: name, reason: "has an unknown field \"\(unknown.key)\"")
        }
        guard let dtype = member.value["dtype"]?.string else {
            throw .badTensor(name: name, reason: "has no dtype")
        }
        guard dtype == "F32" else {
            throw .badTensor(name: name, reason: "has dtype \(dtype), but dnb models hold F32 (float32) only")
        }
        guard case .array(let dims)? = member.value["shape"] else {
            throw .badTensor(name: name, reason: "has no shape")
        }
        var shape: [Int] = []
        for dim in dims {
            guard let size = dim.integer, size >= 0 else {
                throw .badTensor(name: name, reason: "has a shape that is not a list of sizes")
            }
            shape.append(size)
        }
        guard case .array(let offsets)? = member.value["data_offsets"], offsets.count == 2,
            let begin = offsets[0].integer, let end = offsets[1].integer, begin >= 0, end >= 0
        else {
            throw .badTensor(name: name, reason: "has no data_offsets [begin, end] of byte offsets")
        }
        return (shape, begin, end)
    }

    /// The `architecture` metadata: input width and Dense layers.
    private static func decodeArchitecture(_ text: String?) throws(ModelFileError) -> Architecture {
        func bad(_ reason: String) -> ModelFileError { .badMetadata(key: "architecture", reason: reason) }
        guard let text else { throw bad("is missing") }
        let json: JSONValue
        do {
            json = try JSONValue.parse(Array(text.utf8))
        } catch {
            throw bad("is not valid JSON (\(error.reason) at character \(error.offset))")
        }
        guard case .object(let fields) = json else { throw bad("is not a JSON object") }
        if json["input_shape"] != nil { return try decodeLayers(json) }
        if let unknown = fields.first(where: { !["input_width", "layers"].contains($0.key) }) {
            throw bad("has an unknown field \"\(unknown.key)\"")
        }
        guard let width = json["input_width"]?.integer, width > 0 else {
            throw bad("needs input_width, a positive integer")
        }
        guard case .array(let layerValues)? = json["layers"], !layerValues.isEmpty else {
            throw bad("needs layers, a non-empty list")
        }
        var layers: [DenseLayer] = []
        for (index, value) in layerValues.enumerated() {
            let name = layerName(index)
            guard case .object(let layerFields) = value else { throw bad("layer \(index + 1) is not a JSON object") }
            if let unknown = layerFields.first(where: { !["name", "class_name", "units", "activation"].contains($0.key) }) {
                throw bad("layer \(name) has an unknown field \"\(unknown.key)\"")
            }
            if let given = value["name"], given.string != name {
                throw bad("layer \(index + 1) is named \(given.serialized), expected \"\(name)\"")
            }
            if let kind = value["class_name"], kind.string != "Dense" {
                throw bad("layer \(name) is a \(kind.serialized); dnb models have Dense layers only")
            }
            guard let units = value["units"]?.integer, units > 0 else {
                throw bad("layer \(name) needs units, a positive integer")
            }
            guard let activationName = value["activation"]?.string,
                let activation = Activation(rawValue: activationName)
            else {
                throw bad(
                    "layer \(name) needs an activation, one of "
                        + Activation.allCases.map(\.rawValue).joined(separator: ", "))
            }
            layers.append(DenseLayer(units: units, activation: activation))
        }
        return Architecture(inputWidth: width, layers: layers)
    }

    /// The general `architecture` metadata: `input_shape` and layers of any
    /// kind (see `ModelFile.architectureJSON`); names are checked against
    /// Keras's numbering and the whole architecture against `Architecture.check()`.
    private static func decodeLayers(_ json: JSONValue) throws(ModelFileError) -> Architecture {
        func bad(_ reason: String) -> ModelFileError { .badMetadata(key: "architecture", reason: reason) }
        guard case .object(let fields) = json else { throw bad("is not a JSON object") }
        if let unknown = fields.first(where: { !["input_shape", "layers"].contains($0.key) }) {
            throw bad("has an unknown field \"\(unknown.key)\"")
        }
        guard case .array(let dims)? = json["input_shape"], !dims.isEmpty else {
            throw bad("needs input_shape, a list of positive sizes")
        }
        var shape: [Int] = []
        for dim in dims {
            guard let size = dim.integer, size > 0 else { throw bad("needs input_shape, a list of positive sizes") }
            shape.append(size)
        }
        guard case .array(let layerValues)? = json["layers"], !layerValues.isEmpty else {
            throw bad("needs layers, a non-empty list")
        }
        var stack: [LayerSpec] = []
        for (index, value) in layerValues.enumerated() {
            guard case .object(let layerFields) = value, let className = value["class_name"]?.string else {
                throw bad("layer \(index + 1) is not a JSON object with a class_name")
            }
            let label = value["name"]?.string ?? "\(index + 1)"
            guard let kind = LayerRegistry.kind(className: className) else {
                let known = LayerRegistry.kinds.map { $0.declaration.className }
                throw bad(
                    "layer \(label) is a \(className); dnb has \(known.dropLast().joined(separator: ", ")) and "
                        + "\(known.last ?? "") layers")
            }
            do {
                stack.append(LayerSpec(try kind.init(config: value)))
            } catch {
                throw bad("layer \(label) \(error.reason)")
            }
            if let unknown = layerFields.first(where: { !(["name", "class_name"] + kind.configKeys).contains($0.key) }) {
                throw bad("layer \(label) has an unknown field \"\(unknown.key)\"")
            }
        }
        let architecture = Architecture(inputShape: shape, stack: stack)
        for (value, name) in zip(layerValues, architecture.layerNames) {
            if let given = value["name"], given.string != name {
                throw bad("a layer is named \(given.serialized), expected \"\(name)\"")
            }
        }
        do {
            try architecture.check()
        } catch {
            throw bad("is invalid: \(error.reason)")
        }
        return architecture
    }

    /// The `optimizer` metadata: name, Keras hyperparameters, iterations, slot names.
    private static func decodeOptimizer(_ text: String) throws(ModelFileError) -> (
        optimizer: Optimizer, iterations: Int, slots: [String]
    ) {
        func bad(_ reason: String) -> ModelFileError { .badMetadata(key: "optimizer", reason: reason) }
        let json: JSONValue
        do {
            json = try JSONValue.parse(Array(text.utf8))
        } catch {
            throw bad("is not valid JSON (\(error.reason) at character \(error.offset))")
        }
        let optimizer: Optimizer
        do {
            optimizer = try Optimizer.decode(file: json)
        } catch {
            throw bad(error.reason)
        }
        guard let iterations = json["iterations"]?.integer, iterations >= 0 else {
            throw bad("needs iterations, a whole number")
        }
        guard case .array(let slotValues)? = json["slots"] else { throw bad("needs slots, a list of names") }
        let slots = slotValues.compactMap(\.string)
        guard slots.count == slotValues.count, slots == optimizer.slotNames else {
            throw bad("lists slots \(JSONValue.array(slotValues).serialized), which \(optimizer.name) does not have")
        }
        return (optimizer, iterations, slots)
    }
}
