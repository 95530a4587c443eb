import Testing

@testable import Engine

#if canImport(Glibc)
    import Glibc
#endif

/// Keras-style augmentation: the resampling's geometry, its own sin and cos,
/// and fits that stay reproducible and equal to the reference.
struct AugmentationTests {
    /// A 5×6 image with 2 channels whose values say where they are.
    static let image: [Float] = (0..<(5 * 6 * 2)).map { Float($0 % 7 + 1) * 0.1 }

    static func warp(_ transform: Augmentation.Transform, height: Int = 5, width: Int = 6) -> [Float] {
        var out = [Float](repeating: .nan, count: height * width * 2)
        image.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                Augmentation.warp(
                    source.baseAddress!, height: height, width: width, channels: 2, transform: transform,
                    into: target.baseAddress!)
            }
        }
        return out
    }

    @Test func noTransformIsTheIdentity() {
        #expect(Self.warp(.init(ty: 0, tx: 0, angle: 0, scale: 1)) == Self.image)
    }

    @Test func aWholePixelShiftMovesThePixels() {
        let shifted = Self.warp(.init(ty: 1, tx: -2, angle: 0, scale: 1))
        for y in 0..<5 {
            for x in 0..<6 {
                for c in 0..<2 {
                    let (sy, sx) = (y - 1, x + 2)
                    let expected: Float = sy >= 0 && sy < 5 && sx < 6 ? Self.image[(sy * 6 + sx) * 2 + c] : 0
                    #expect(shifted[(y * 6 + x) * 2 + c] == expected, "(\(y), \(x), \(c))")
                }
            }
        }
    }

    @Test func halfAPixelShiftAveragesNeighbours() {
        let shifted = Self.warp(.init(ty: 0, tx: 0.5, angle: 0, scale: 1))
        // Output (2, 3) reads x = 2.5: the mean of (2, 2) and (2, 3).
        let expected = 0.5 * Self.image[(2 * 6 + 2) * 2] + 0.5 * Self.image[(2 * 6 + 3) * 2]
        #expect(abs(shifted[(2 * 6 + 3) * 2] - expected) < 1e-6)
    }

    @Test func aQuarterTurnRotatesASquare() {
        // 5×5: output (y, x) reads (cy + (x − cx), cx − (y − cy)).
        var square = [Float](repeating: 0, count: 25 * 2)
        for i in 0..<square.count { square[i] = Float(i % 11) }
        var out = [Float](repeating: .nan, count: 25 * 2)
        square.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                Augmentation.warp(
                    s.baseAddress!, height: 5, width: 5, channels: 2,
                    transform: .init(ty: 0, tx: 0, angle: Double.pi / 2, scale: 1), into: o.baseAddress!)
            }
        }
        for y in 0..<5 {
            for x in 0..<5 {
                let (sy, sx) = (x, 4 - y)
                #expect(abs(out[(y * 5 + x) * 2] - square[(sy * 5 + sx) * 2]) < 1e-5, "(\(y), \(x))")
            }
        }
    }

    @Test func sinAndCosAreAccurate() {
        var theta = -Double.pi
        while theta <= Double.pi {
            let (s, c) = Augmentation.sinCos(theta)
            #expect(abs(s - Glibc.sin(theta)) < 1e-14 && abs(c - Glibc.cos(theta)) < 1e-14, "θ = \(theta)")
            theta += 0.0137
        }
    }

    @Test func transformsStayInTheirRangesAndDependOnSeedStepAndRow() {
        let augmentation = Augmentation(translation: 0.1, rotation: 0.05, zoom: 0.2)
        var seen = Set<Double>()
        for row in 0..<200 {
            let t = augmentation.transform(seed: 1, step: 3, row: row, height: 28, width: 28)
            #expect(abs(t.ty) <= 2.8 && abs(t.tx) <= 2.8 && abs(t.angle) <= 0.1 * Double.pi)
            #expect(t.scale >= 0.8 && t.scale <= 1.2)
            seen.insert(t.tx)
            #expect(t == augmentation.transform(seed: 1, step: 3, row: row, height: 28, width: 28))
        }
        #expect(seen.count == 200)
        #expect(
            augmentation.transform(seed: 1, step: 3, row: 0, height: 28, width: 28)
                != augmentation.transform(seed: 1, step: 4, row: 0, height: 28, width: 28))
    }

    @Test(arguments: [
        (Augmentation(translation: 1), "Received: translation=1.0"),
        (Augmentation(rotation: -0.1), "Received: rotation=-0.1"),
        (Augmentation(zoom: 1.5), "Received: zoom=1.5"),
    ])
    func badFactorsAreRefused(_ augmentation: Augmentation, _ fragment: String) throws {
        let model = try Model(architecture: ConvolutionTests.smallConvnet, seed: 1)
        let examples = try ConvolutionTests.images(count: 16, seed: 1)
        #expect {
            try quietFit(model, examples, FitConfiguration(augmentation: augmentation))
        } throws: { error in
            (error as? EngineError).map { "\($0)".contains(fragment) } ?? false
        }
    }

    @Test func flatModelsRefuseAugmentation() throws {
        let model = try Model(architecture: Fixture.architecture(784, (8, .relu), (10, .softmax)), seed: 1)
        let examples = try ConvolutionTests.images(count: 16, seed: 1)
        #expect(throws: EngineError.self) {
            try quietFit(model, examples, FitConfiguration(augmentation: Augmentation()))
        }
    }

    @Test func augmentedFitsMatchTheReferenceAtAnyThreadCount() throws {
        let examples = try ConvolutionTests.images(count: 240, seed: 21)
        let configuration = FitConfiguration(epochs: 2, batchSize: 16, seed: 5, augmentation: Augmentation())
        let architecture = ConvolutionTests.smallConvnet
        var parameters: [[Float]] = []
        for threads in [1, 2, 4] {
            try ComputeThreads.$override.withValue(threads) {
                let model = try Model(architecture: architecture, seed: 5)
                try quietFit(model, examples, configuration)
                parameters.append(model.parameters)
            }
        }
        let start = try Model(architecture: architecture, seed: 5)
        let reference = ReferenceTraining.fit(
            layers: start.layers, parameters: start.parameters,
            training: examples, validation: nil, optimizer: .adam(), configuration: configuration)
        #expect(differingBits(parameters[0], reference.parameters) == 0)
        #expect(differingBits(parameters[0], parameters[1]) == 0 && differingBits(parameters[0], parameters[2]) == 0)
        // Without augmentation the weights differ: it did something.
        let plain = try Model(architecture: architecture, seed: 5)
        var unaugmented = configuration
        unaugmented.augmentation = nil
        try quietFit(plain, examples, unaugmented)
        #expect(differingBits(plain.parameters, parameters[0]) > 0)
    }
}
