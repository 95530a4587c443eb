import Testing

@testable import Engine

/// Dense layer passes with hand-set weights against values worked out by hand.
struct DenseTests {
    // x (N=2, I=2) = [[1, 2], [-1, 0.5]]
    // W (I=2, O=3) = [[1, -1, 0.5], [2, 0, -1]],  b = [0.5, 1, -0.25]
    // z = x·W + b:
    //   row 0: [1+4+0.5, -1+0+1, 0.5-2-0.25]   = [5.5, 0, -1.75]
    //   row 1: [-1+1+0.5, 1+0+1, -0.5-0.5-0.25] = [0.5, 2, -1.25]
    static let x: [Float] = [1, 2, -1, 0.5]
    static let parameters: [Float] = [1, -1, 0.5, 2, 0, -1, /* bias */ 0.5, 1, -0.25]
    static let layer = LayerPlan(inputs: 2, outputs: 3, activation: .linear, kernelOffset: 0, biasOffset: 6)

    static func forward(_ activation: Activation) -> [Float] {
        var layer = layer
        layer.activation = activation
        var output = [Float](repeating: .nan, count: 6)
        x.withUnsafeBufferPointer { x in
            parameters.withUnsafeBufferPointer { p in
                output.withUnsafeMutableBufferPointer { out in
                    Dense.forward(
                        input: x.baseAddress!, rows: 0..<2, layer: layer, parameters: p.baseAddress!,
                        output: out.baseAddress!)
                }
            }
        }
        return output
    }

    /// Column sums in registers, 32, 8 and 1 columns at a time: each the
    /// in-order sum over rows, bit for bit.
    @Test(arguments: [3, 21, 45, 64])
    func biasGradientSumsEachColumnInRowOrder(outputs: Int) {
        let rows = 37
        let dz = Fixture.uniform(rows * outputs, -1, 1, seed: UInt64(outputs))
        var db = [Float](repeating: .nan, count: outputs)
        Dense.biasGradient(dz, rows: rows, outputs: outputs, into: &db)
        let expected = (0..<outputs).map { j in (0..<rows).reduce(Float(0)) { $0 + dz[$1 * outputs + j] } }
        #expect(differingBits(db, expected) == 0)
        // In two pieces of rows, the second continuing the first: the same bits.
        var pieces = [Float](repeating: .nan, count: outputs)
        dz.withUnsafeBufferPointer { dz in
            pieces.withUnsafeMutableBufferPointer { db in
                Dense.columnSums(
                    dz.baseAddress!, rows: 20, stride: outputs, columns: outputs, into: db.baseAddress!, continuing: false)
                Dense.columnSums(
                    dz.baseAddress! + 20 * outputs, rows: rows - 20, stride: outputs, columns: outputs,
                    into: db.baseAddress!, continuing: true)
            }
        }
        #expect(differingBits(pieces, expected) == 0)
    }

    @Test func linearIsTheAffineMap() {
        #expect(Self.forward(.linear) == [5.5, 0, -1.75, 0.5, 2, -1.25])
    }

    @Test func reluClampsNegatives() {
        #expect(Self.forward(.relu) == [5.5, 0, 0, 0.5, 2, 0])
    }

    @Test func sigmoidAndTanh() {
        // sigmoid(0) = 0.5, sigmoid(2) = 1/(1+e^-2) = 0.8807971, tanh(0.5) = 0.4621172
        let s = Self.forward(.sigmoid)
        #expect(s[1] == 0.5)
        #expect(abs(s[4] - 0.880_797_1) < 1e-6)
        let t = Self.forward(.tanh)
        #expect(t[1] == 0)
        #expect(abs(t[3] - 0.462_117_2) < 1e-6)
        #expect(abs(t[0] - 0.999_966_6) < 1e-6)  // tanh(5.5)
    }

    @Test func backwardGivesKernelBiasAndInputGradients() {
        // dz = [[1, 0, -1], [0.5, 1, 0]]
        // dW = xᵀ·dz: row 0 = 1·[1,0,-1] + (-1)·[0.5,1,0] = [0.5, -1, -1]
        //             row 1 = 2·[1,0,-1] + 0.5·[0.5,1,0] = [2.25, 0.5, -2]
        // db = column sums = [1.5, 1, -1]
        // dx = dz·Wᵀ: row 0 = [1·1 + 0·(-1) + (-1)·0.5, 1·2 + 0 + (-1)·(-1)] = [0.5, 3]
        //             row 1 = [0.5·1 + 1·(-1) + 0, 0.5·2 + 0 + 0]          = [-0.5, 1]
        let dz: [Float] = [1, 0, -1, 0.5, 1, 0]
        var gradients = [Float](repeating: .nan, count: 9)
        var dx = [Float](repeating: .nan, count: 4)
        Self.x.withUnsafeBufferPointer { x in
            Self.parameters.withUnsafeBufferPointer { p in
                dz.withUnsafeBufferPointer { dz in
                    gradients.withUnsafeMutableBufferPointer { g in
                        dx.withUnsafeMutableBufferPointer { dx in
                            Dense.kernelGradient(
                                input: x.baseAddress!, rows: 2, layer: Self.layer, outputGradient: dz.baseAddress!,
                                gradients: g.baseAddress!, kernelRows: 0..<2)
                            Dense.biasGradient(dz.baseAddress!, rows: 2, outputs: 3, into: g.baseAddress! + 6)
                            var transposed = [Float](repeating: .nan, count: 6)
                            MatrixProduct.transpose(p.baseAddress!, rows: 3, columns: 2, into: &transposed)
                            Dense.inputGradient(
                                outputGradient: dz.baseAddress!, rows: 0..<2, layer: Self.layer,
                                transposedKernel: transposed, into: dx.baseAddress!)
                        }
                    }
                }
            }
        }
        #expect(gradients == [0.5, -1, -1, 2.25, 0.5, -2, 1.5, 1, -1])
        #expect(dx == [0.5, 3, -0.5, 1])
    }

    @Test func softmaxCrossEntropyByHand() {
        // logits ln[1, 2, 3] (bias 0): p = [1, 2, 3] / 6; label 2:
        // loss = -ln(3/6) = ln 2; dL/dz = p - onehot = [1/6, 1/3, -1/2] (N = 1).
        var z: [Float] = [0, Float(0.693_147_18), Float(1.098_612_3)]
        let bias: [Float] = [0, 0, 0]
        let labels: [UInt8] = [2]
        let totals = z.withUnsafeMutableBufferPointer { z in
            SoftmaxCrossEntropy.forwardLoss(
                z.baseAddress!, bias: bias, labels: labels, rows: 1, classes: 3, gradientScale: 1)
        }
        #expect(close(totals.loss, 0.693_147_18, 1e-6))
        #expect(totals.correct == 1)
        #expect(close(z, [1.0 / 6, 1.0 / 3, -0.5]))
    }

    @Test func softmaxLossStaysFiniteForHugeLogits() {
        // p_y underflows to 0 in Float, yet loss = logsumexp - z_y = 200 exactly.
        var z: [Float] = [200, 0]
        let totals = z.withUnsafeMutableBufferPointer { z in
            SoftmaxCrossEntropy.forwardLoss(
                z.baseAddress!, bias: [0, 0], labels: [1], rows: 1, classes: 2, gradientScale: nil)
        }
        #expect(close(totals.loss, 200, 1e-4))
        #expect(totals.correct == 0)
    }

    @Test func modelPredictsAndEvaluatesHandSetWeights() throws {
        // 2 → Dense 2 relu (W = I, b = 0) → Dense 2 softmax (W = I, b = 0).
        // x = [ln 3, 0]: hidden [ln 3, 0], p = [3, 1] / 4 = [0.75, 0.25]
        // x = [-1, 0]:   hidden [0, 0],    p = [0.5, 0.5]
        let architecture = Fixture.architecture(2, (2, .relu), (2, .softmax))
        let model = try Model(architecture: architecture, parameters: [1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0])
        let x: [Float] = [Float(1.098_612_3), 0, -1, 0]
        #expect(close(try model.predict(features: x, count: 2), [0.75, 0.25, 0.5, 0.5]))
        // labels [0, 1]: loss = (-ln 0.75 - ln 0.5) / 2 = (0.287682 + 0.693147) / 2 = 0.490415;
        // row 1 is a tie, argmax takes the first class (0 ≠ 1): accuracy 0.5.
        let result = try model.evaluate(Examples(features: x, labels: [0, 1], width: 2))
        #expect(close(result.loss, 0.490_415, 1e-6))
        #expect(result.accuracy == 0.5)
    }
}
