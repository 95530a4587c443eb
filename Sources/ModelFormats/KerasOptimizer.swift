// Keras 3's optimizers as dnb has them: their compile config, and where each
// slot value sits among Keras's optimizer variables (`optimizer/vars/N`):
// 0 iterations, 1 learning rate, then Adam's momentum and velocity per model
// variable in turn; RMSprop's velocities, then its momentums; SGD's momentums.

import Engine
import JSON

enum KerasOptimizer {
    /// Keras's class name.
    static func className(_ optimizer: Optimizer) -> String {
        switch optimizer {
        case .sgd: "SGD"
        case .adam: "Adam"
        case .rmsprop: "RMSprop"
        }
    }

    static func learningRate(_ optimizer: Optimizer) -> Float {
        switch optimizer {
        case .sgd(let lr, _, _), .adam(let lr, _, _, _), .rmsprop(let lr, _, _, _): lr
        }
    }

    /// `compile_config`: the optimizer, sparse categorical cross-entropy on probabilities, accuracy.
    static func compileConfig(_ optimizer: Optimizer) -> JSONValue {
        var config: [JSONValue.Member] = [.init(key: "name", value: .string(optimizer.name))]
        switch optimizer {
        case .sgd(let lr, let momentum, let nesterov):
            config += [
                .init(key: "learning_rate", value: .number(lr)), .init(key: "momentum", value: .number(momentum)),
                .init(key: "nesterov", value: .bool(nesterov)),
            ]
        case .adam(let lr, let beta1, let beta2, let epsilon):
            config += [
                .init(key: "learning_rate", value: .number(lr)), .init(key: "beta_1", value: .number(beta1)),
                .init(key: "beta_2", value: .number(beta2)), .init(key: "epsilon", value: .number(epsilon)),
                .init(key: "amsgrad", value: .bool(false)),
            ]
        case .rmsprop(let lr, let rho, let momentum, let epsilon):
            config += [
                .init(key: "learning_rate", value: .number(lr)), .init(key: "rho", value: .number(rho)),
                .init(key: "momentum", value: .number(momentum)), .init(key: "epsilon", value: .number(epsilon)),
                .init(key: "centered", value: .bool(false)),
            ]
        }
        return .object([
            .init(
                key: "optimizer",
                value: .object([
                    .init(key: "module", value: .string("keras.optimizers")),
                    .init(key: "class_name", value: .string(className(optimizer))),
                    .init(key: "config", value: .object(config)), .init(key: "registered_name", value: .null),
                ])),
            .init(
                key: "loss",
                value: .object([
                    .init(key: "module", value: .string("keras.losses")),
                    .init(key: "class_name", value: .string("SparseCategoricalCrossentropy")),
                    .init(
                        key: "config",
                        value: .object([
                            .init(key: "name", value: .string("sparse_categorical_crossentropy")),
                            .init(key: "reduction", value: .string("sum_over_batch_size")),
                            .init(key: "from_logits", value: .bool(false)), .init(key: "ignore_class", value: .null),
                        ])),
                    .init(key: "registered_name", value: .null),
                ])),
            .init(key: "loss_weights", value: .null), .init(key: "metrics", value: .array([.string("accuracy")])),
            .init(key: "weighted_metrics", value: .null), .init(key: "run_eagerly", value: .bool(false)),
            .init(key: "steps_per_execution", value: .number(1)), .init(key: "jit_compile", value: .bool(false)),
        ])
    }

    /// Keras's slot variables after iterations and learning rate, in order:
    /// (dnb slot index, shape, offset in the parameter buffer) for model
    /// variables of `shapes` (trainable, in order).
    static func variables(_ state: OptimizerState, shapes: [[Int]]) -> [(Int, [Int], Int)] {
        var offsets: [Int] = []
        var offset = 0
        for shape in shapes {
            offsets.append(offset)
            offset += shape.reduce(1, *)
        }
        let perVariable = Array(zip(shapes, offsets))
        switch state.optimizer {
        case .adam:
            return perVariable.flatMap { shape, offset in [(0, shape, offset), (1, shape, offset)] }
        case .sgd, .rmsprop:
            return (0..<state.slots.count).flatMap { slot in perVariable.map { (slot, $0.0, $0.1) } }
        }
    }

    /// The optimizer of a Keras `compile_config` (or legacy `training_config`), or why not.
    static func read(_ config: JSONValue?) -> Result<Optimizer, ModelFormatError>? {
        guard let config, let optimizer = config["optimizer"] ?? config["optimizer_config"], optimizer != .null else {
            return nil
        }
        var className = optimizer["class_name"]?.string ?? optimizer.string ?? ""
        if className.hasPrefix("Custom>") { className.removeFirst("Custom>".count) }
        let values = optimizer["config"] ?? .object([])
        func number(_ key: String, _ fallback: Float) -> Float? {
            guard let value = values[key] else { return fallback }
            return value.float.flatMap { $0.isFinite ? $0 : nil }
        }
        guard let lr = number("learning_rate", className == "SGD" ? 0.01 : 0.001) else {
            return .failure(.malformed("the \(className) learning rate is not a number (a schedule?)"))
        }
        switch className.lowercased() {
        case "adam":
            guard let b1 = number("beta_1", 0.9), let b2 = number("beta_2", 0.999), let e = number("epsilon", 1e-7),
                values["amsgrad"] != .bool(true)
            else { return .failure(.malformed("dnb's Adam has no amsgrad")) }
            return .success(.adam(learningRate: lr, beta1: b1, beta2: b2, epsilon: e))
        case "sgd":
            guard let momentum = number("momentum", 0) else { return .failure(.malformed("SGD's momentum is not a number")) }
            return .success(.sgd(learningRate: lr, momentum: momentum, nesterov: values["nesterov"] == .bool(true)))
        case "rmsprop":
            guard let rho = number("rho", 0.9), let momentum = number("momentum", 0), let e = number("epsilon", 1e-7),
                values["centered"] != .bool(true)
            else { return .failure(.malformed("dnb's RMSprop is not centered")) }
            return .success(.rmsprop(learningRate: lr, rho: rho, momentum: momentum, epsilon: e))
        default:
            return .failure(.malformed("dnb has the Adam, SGD and RMSprop optimizers, not \(className)"))
        }
    }

    /// Slot buffers from Keras's optimizer variables (`vars` after iterations
    /// and learning rate) for model variables of `counts` values each (a
    /// negative count: a variable Keras does not have, whose slots are zeros),
    /// or nil when their number or sizes do not fit.
    static func slots(_ optimizer: Optimizer, _ vars: [[Float]], counts: [Int]) -> [[Float]]? {
        let slotCount = optimizer.slotCount
        let present = counts.filter { $0 >= 0 }.count
        guard vars.count == slotCount * present else { return nil }
        var slots = [[Float]](repeating: [], count: slotCount)
        var index = 0
        for count in counts {
            guard count >= 0 else {
                for slot in 0..<slotCount { slots[slot] += [Float](repeating: 0, count: -count) }
                continue
            }
            for slot in 0..<slotCount {
                let position: Int
                if case .adam = optimizer { position = index * 2 + slot } else { position = slot * present + index }
                guard vars[position].count == count else { return nil }
                slots[slot] += vars[position]
            }
            index += 1
        }
        return slots
    }
}
