import JSON

// Keras 3's optimizers, each update ONE pass over the contiguous parameter
// buffer, its gradient buffer and its slot buffers (one per moment, each the
// size of the parameters).
//
// Shapes: `P` parameters; `p`, `g` and every slot hold P values.
//
// An optimizer kind is one type conforming to `OptimizerRule` (Keras's
// `Optimizer` subclass: its name, its `fit` options, its slots, its update
// in 8-float lanes and in plain scalars, its model-file keys) and one line in
// `OptimizerRegistry`. Slot values that fall below the smallest normal Float
// are flushed to zero, as under TensorFlow's flush-to-zero CPU kernels.

/// One optimizer kind.
protocol OptimizerRule: Sendable {
    /// Keras's name: `sgd`, `adam`, `rmsprop`.
    static var name: String { get }
    /// Keras's default learning rate.
    static var defaultLearningRate: Float { get }
    /// The `fit` options it reads besides `lr=` (Keras's hyperparameters).
    static var options: [ArgumentDeclaration] { get }
    /// The model file's keys besides `name`, `learning_rate`, `iterations`, `slots`.
    static var fileKeys: [String] { get }
    /// Keras's class name: `SGD`, `Adam`, `RMSprop`.
    static var kerasClassName: String { get }
    /// Keras's switches this rule does not have (`amsgrad`): written off, refused on.
    static var kerasSwitchesOff: [String] { get }
    /// Whether Keras keeps this rule's slots per variable in turn (Adam's
    /// momentum, velocity, next variable) rather than each kind of slot in a block.
    static var kerasSlotsPerVariable: Bool { get }

    /// From `fit`'s checked options (every declared one present, defaults filled in).
    init(learningRate: Float, _ options: ArgumentValues)
    /// From the model file's `optimizer` JSON; the reason when a value is bad.
    init(learningRate: Float, file json: JSONValue) throws(OptimizerConfigError)

    var learningRate: Float { get set }
    /// Keras's names of its slot variables, in the engine's slot order.
    var slotNames: [String] { get }
    /// Its hyperparameters besides the learning rate, Keras's names, in the model file's order.
    var hyperparameters: [(key: String, value: Hyperparameter)] { get }
    /// Throws `invalidArgument` echoing the first bad hyperparameter (the
    /// learning rate is checked by `Optimizer`).
    func validate() throws(EngineError)

    /// The update over `count` values, a multiple of 8; slot k starts at
    /// `slots + k·slotStride`; `step` is the 1-based step number.
    func updateLanes(
        parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, slots: UnsafeMutablePointer<Float>?,
        slotStride: Int, count: Int, step: Int)
    /// The same update element by element, in plain scalars: the specification.
    func referenceUpdate(parameters p: inout [Float], gradients g: [Float], slots: inout [[Float]], step: Int)
}

/// A hyperparameter's value: a number, or a switch (SGD's `nesterov`).
enum Hyperparameter: Equatable {
    case number(Float)
    case boolean(Bool)

    var json: JSONValue {
        switch self {
        case .number(let value): .number(value)
        case .boolean(let value): .bool(value)
        }
    }

    var isFinite: Bool { if case .number(let value) = self { value.isFinite } else { true } }
}

/// Why a model file's optimizer JSON is refused.
struct OptimizerConfigError: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Every optimizer `fit` and the model file know, in the order help lists
/// them. A new optimizer is one `OptimizerRule` type and one line here.
public enum OptimizerRegistry {
    static let rules: [any OptimizerRule.Type] = [
        SGD.self,
        Adam.self,
        RMSprop.self,
    ]

    /// Keras's names, in order.
    public static var names: [String] { rules.map { $0.name } }

    static func rule(named name: String) -> (any OptimizerRule.Type)? { rules.first { $0.name == name } }

    /// The `fit` options of every optimizer (the first declaration of a
    /// shared name), with the optimizers that read each.
    public static var options: [(option: ArgumentDeclaration, optimizers: [String])] {
        var result: [(option: ArgumentDeclaration, optimizers: [String])] = []
        for rule in rules {
            for option in rule.options {
                if let index = result.firstIndex(where: { $0.option.name == option.name }) {
                    result[index].optimizers.append(rule.name)
                } else {
                    result.append((option, [rule.name]))
                }
            }
        }
        return result
    }

    /// Keras's default learning rate of optimizer `name` (nil for an unknown name).
    public static func defaultLearningRate(_ name: String) -> Float? { rule(named: name)?.defaultLearningRate }

    /// The option names optimizer `name` reads.
    public static func optionNames(_ name: String) -> [String] { rule(named: name)?.options.map(\.name) ?? [] }
}

/// An optimizer with its hyperparameters: Keras's SGD, Adam or RMSprop with
/// Keras's defaults (see each kind's type).
public struct Optimizer: Equatable, Sendable, CustomStringConvertible {
    let rule: any OptimizerRule

    init(_ rule: any OptimizerRule) { self.rule = rule }

    /// Optimizer `name` with `fit`'s checked options (defaults filled in);
    /// nil for an unknown name.
    public init?(name: String, learningRate: Float, options: ArgumentValues) {
        guard let kind = OptimizerRegistry.rule(named: name) else { return nil }
        var values = options
        for option in kind.options where values.values[option.name] == nil {
            values.values[option.name] = option.defaultValue
        }
        self.init(kind.init(learningRate: learningRate, values))
    }

    /// Keras's name: `sgd`, `adam`, `rmsprop`.
    public var name: String { type(of: rule).name }

    /// The learning rate.
    public var learningRate: Float { rule.learningRate }

    /// The same optimizer with another learning rate.
    public func with(learningRate: Float) -> Optimizer {
        var rule = rule
        rule.learningRate = learningRate
        return Optimizer(rule)
    }

    /// Number of per-parameter buffers the optimizer keeps.
    public var slotCount: Int { rule.slotNames.count }

    /// Keras's names of the slots, in slot order (Adam: momentum, velocity).
    public var slotNames: [String] { rule.slotNames }

    /// `adam(learning_rate=0.001, beta_1=0.9, ...)`.
    public var description: String {
        let values =
            [("learning_rate", "\(learningRate)")]
            + rule.hyperparameters.map { key, value in
                switch value {
                case .number(let number): (key, "\(number)")
                case .boolean(let flag): (key, "\(flag)")
                }
            }
        return name + "(" + values.map { "\($0)=\($1)" }.joined(separator: ", ") + ")"
    }

    /// Whether the learning rate and every hyperparameter are finite numbers.
    var isFinite: Bool { learningRate.isFinite && rule.hyperparameters.allSatisfy { $0.value.isFinite } }

    public static func == (a: Optimizer, b: Optimizer) -> Bool { a.description == b.description }

    /// Whether a fit with `next` continues this optimizer's state (Keras's
    /// `fit` after `compile` with the same optimizer): the same kind with the
    /// same slots keeps its moments and step count, whatever its new
    /// hyperparameters; another kind starts afresh.
    func continues(into next: Optimizer) -> Bool { name == next.name && slotNames == next.slotNames }

    /// Throws `invalidArgument` echoing the first bad hyperparameter:
    /// learning rate finite and > 0, then the kind's own.
    public func validate() throws(EngineError) {
        guard learningRate.isFinite && learningRate > 0 else {
            throw .invalidArgument("\(name): learning_rate must be a positive number. Received: learning_rate=\(learningRate)")
        }
        try rule.validate()
    }

    /// One update of all `count` parameters from their gradients. `slots`
    /// holds `slotCount` consecutive buffers of `count` values; `step` is
    /// the 1-based step number (Adam's `t`). `elements` (default all)
    /// limits the update to those parameters.
    func update(
        parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
        slots: UnsafeMutablePointer<Float>?, count: Int, step: Int, elements: Range<Int>? = nil
    ) {
        // Every element's update is independent: pieces of 8,192 run on as
        // many threads as are allowed.
        let elements = elements ?? 0..<count
        let start = elements.lowerBound
        ComputePool.shared.forEachPiece(of: elements.count, piece: 8192, cost: 8) { range in
            self.update(
                parameters: p, gradients: g, slots: slots, count: count,
                range: (start + range.lowerBound)..<(start + range.upperBound), step: step)
        }
    }

    /// `update` of the elements `range` only, on the calling thread (each
    /// element's update depends on nothing else, so any split gives the same bits).
    func update(
        parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
        slots: UnsafeMutablePointer<Float>?, count: Int, range: Range<Int>, step: Int
    ) {
        let start = range.lowerBound
        let whole = range.upperBound - range.count % 8
        rule.updateLanes(
            parameters: p + start, gradients: g + start, slots: slots.map { $0 + start }, slotStride: count,
            count: whole - start, step: step)
        let rest = range.upperBound - whole
        guard rest > 0 else { return }
        // The tail: copy into zero-padded scratch lanes, update, copy back.
        let slotCount = slots == nil ? 0 : self.slotCount
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 8 * (2 + slotCount)) { scratch in
            guard let lanes = scratch.baseAddress else { return }
            lanes.initialize(repeating: 0, count: 8 * (2 + slotCount))
            (lanes).update(from: p + whole, count: rest)
            (lanes + 8).update(from: g + whole, count: rest)
            for k in 0..<slotCount {
                if let slots { (lanes + 16 + 8 * k).update(from: slots + k * count + whole, count: rest) }
            }
            rule.updateLanes(
                parameters: lanes, gradients: lanes + 8, slots: slotCount > 0 ? lanes + 16 : nil, slotStride: 8, count: 8,
                step: step)
            (p + whole).update(from: lanes, count: rest)
            for k in 0..<slotCount {
                if let slots { (slots + k * count + whole).update(from: lanes + 16 + 8 * k, count: rest) }
            }
        }
    }

    /// The model file's `optimizer` JSON: name, learning rate, the kind's
    /// hyperparameters, iterations and slot names.
    func fileJSON(iterations: Int) -> JSONValue {
        .object(
            [.init(key: "name", value: .string(name)), .init(key: "learning_rate", value: .number(learningRate))]
                + rule.hyperparameters.map { JSONValue.Member(key: $0.key, value: $0.value.json) } + [
                    .init(key: "iterations", value: .number(iterations)),
                    .init(key: "slots", value: .array(slotNames.map { .string($0) })),
                ])
    }

    /// The optimizer of a model file's `optimizer` JSON (without its
    /// iterations and slots), or why it is refused.
    static func decode(file json: JSONValue) throws(OptimizerConfigError) -> Optimizer {
        guard case .object(let fields) = json, let name = json["name"]?.string else {
            throw OptimizerConfigError("needs a name (\(OptimizerRegistry.names.joined(separator: ", ")))")
        }
        guard let kind = OptimizerRegistry.rule(named: name) else {
            throw OptimizerConfigError(
                "names an unknown optimizer \"\(name)\" (dnb has \(OptimizerRegistry.names.joined(separator: ", ")))")
        }
        let learningRate = try json.optimizerNumber("learning_rate", { $0 > 0 }, "> 0")
        let optimizer = Optimizer(try kind.init(learningRate: learningRate, file: json))
        let known = Set(["name", "learning_rate", "iterations", "slots"] + kind.fileKeys)
        if let unknown = fields.first(where: { !known.contains($0.key) }) {
            throw OptimizerConfigError("has an unknown field \"\(unknown.key)\" for \(name)")
        }
        return optimizer
    }
}

extension JSONValue {
    /// A finite number field of an optimizer's JSON that passes `valid`.
    func optimizerNumber(_ key: String, _ valid: (Float) -> Bool, _ rule: String) throws(OptimizerConfigError) -> Float {
        guard let value = self[key]?.float, value.isFinite else { throw OptimizerConfigError("needs \(key), a number") }
        guard valid(value) else { throw OptimizerConfigError("needs \(key) \(rule). Received: \(key)=\(value)") }
        return value
    }
}

// Eight-float SIMD lanes for the update passes. LLVM does not vectorise these
// loops by itself: `Float.squareRoot()` lowers to a libm call (errno), and a
// bounds test inside the loop body halves the speed. So the passes run over
// whole 8-lane chunks with an explicit vector square root, and a tail
// shorter than 8 goes through zero-padded scratch lanes, so every element
// sees the same arithmetic.
typealias Lanes8 = SIMD8<Float>

/// Flush-to-zero of one value, as the lanes' `flushed`.
func flushed(_ x: Float) -> Float { x < .leastNormalMagnitude && x > -.leastNormalMagnitude ? 0 : x }
