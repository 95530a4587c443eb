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

    /// `Augmentation.warp` of a one-channel `side`×`side` image.
    static func warpSquare(_ square: [Float], side: Int, _ transform: Augmentation.Transform) -> [Float] {
        var out = [Float](repeating: .nan, count: side * side)
        square.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                Augmentation.warp(
                    s.baseAddress!, height: side, width: side, channels: 1, transform: transform, into: o.baseAddress!)
            }
        }
        return out
    }

    /// 5×5, value 10·y + x + 1 at (y, x).
    static let square: [Float] = (0..<25).map { Float(10 * ($0 / 5) + $0 % 5 + 1) }

    @Test func aHorizontalShearSlantsTheRowsAboutTheCentre() {
        // shear_x 0.5: output (y, x) reads x + 0.5·(y − 2) on row y. Rows 0, 2
        // and 4 move by whole pixels (−1, 0, +1); rows 1 and 3 by half of one.
        let out = Self.warpSquare(Self.square, side: 5, .init(ty: 0, tx: 0, angle: 0, scale: 1, shearX: 0.5))
        func input(_ y: Int, _ x: Double) -> Float {
            let x0 = Int(x.rounded(.down))
            let f = Float(x - Double(x0))
            func v(_ xx: Int) -> Float { xx >= 0 && xx < 5 ? Self.square[y * 5 + xx] : 0 }
            return (1 - f) * v(x0) + f * v(x0 + 1)
        }
        for y in 0..<5 {
            for x in 0..<5 {
                #expect(out[y * 5 + x] == input(y, Double(x) + 0.5 * Double(y - 2)), "(\(y), \(x))")
            }
        }
        #expect(out[0 * 5 + 0] == 0 && out[0 * 5 + 1] == 1 && out[4 * 5 + 3] == 45 && out[4 * 5 + 4] == 0)
        #expect(out[1 * 5 + 2] == 12.5 && out[3 * 5 + 2] == 33.5)
    }

    @Test func aVerticalShearSlantsTheColumns() {
        // shear_y −1: output (y, x) reads row y − (x − 2) of column x.
        let out = Self.warpSquare(Self.square, side: 5, .init(ty: 0, tx: 0, angle: 0, scale: 1, shearY: -1))
        for y in 0..<5 {
            for x in 0..<5 {
                let sy = y - (x - 2)
                #expect(out[y * 5 + x] == (sy >= 0 && sy < 5 ? Self.square[sy * 5 + x] : 0), "(\(y), \(x))")
            }
        }
    }

    @Test func anAspectScalesTheWidthAlone() {
        // Width scale 2 with the height's 1: output (y, x) reads (y, 2 + 2·(x − 2)).
        let out = Self.warpSquare(Self.square, side: 5, .init(ty: 0, tx: 0, angle: 0, scale: 1, aspect: 2))
        for y in 0..<5 {
            #expect(
                Array(out[(y * 5)..<(y * 5 + 5)]) == [0, Self.square[y * 5], Self.square[y * 5 + 2], Self.square[y * 5 + 4], 0])
        }
        // zoom_width set: the width's own scale, the aspect its ratio to the height's.
        let augmentation = Augmentation(translation: 0, rotation: 0, zoom: 0.1, widthZoom: 0.3)
        var aspects = Set<Double>()
        for row in 0..<100 {
            let t = augmentation.transform(seed: 2, step: 1, row: row, height: 28, width: 28)
            #expect(t.scale * t.aspect >= 0.7 - 1e-12 && t.scale * t.aspect <= 1.3 + 1e-12)
            aspects.insert(t.aspect)
        }
        #expect(aspects.count == 100)
        #expect(Augmentation().transform(seed: 2, step: 1, row: 0, height: 28, width: 28).aspect == 1)
    }

    /// The shift-rotate-zoom formula as it was before shear, aspect and the
    /// elastic field: with those off the resampling must give the same bits,
    /// so that fits recorded before still replay.
    @Test func withoutTheNewFactorsTheResamplingIsTheOldOne() {
        let augmentation = Augmentation(translation: 0.2, rotation: 0.1, zoom: 0.2)
        let side = 9
        let image: [Float] = (0..<(side * side)).map { Float(($0 * 37) % 23) / 23 }
        for row in 0..<20 {
            let t = augmentation.transform(seed: 7, step: 3, row: row, height: side, width: side)
            let out = Self.warpSquare(image, side: side, t)
            let (sin, cos) = Augmentation.sinCos(t.angle)
            let c = Double(side - 1) / 2
            for y in 0..<side {
                for x in 0..<side {
                    let (dx, dy) = (Double(x) - c, Double(y) - c)
                    let sx = c + t.scale * (cos * dx - sin * dy) - t.tx
                    let sy = c + t.scale * (sin * dx + cos * dy) - t.ty
                    let (x0, y0) = (sx.rounded(.down), sy.rounded(.down))
                    let (fx, fy) = (Float(sx - x0), Float(sy - y0))
                    func v(_ yy: Double, _ xx: Double) -> Float {
                        yy >= 0 && yy < Double(side) && xx >= 0 && xx < Double(side) ? image[Int(yy) * side + Int(xx)] : 0
                    }
                    let top = (1 - fx) * v(y0, x0) + fx * v(y0, x0 + 1)
                    let bottom = (1 - fx) * v(y0 + 1, x0) + fx * v(y0 + 1, x0 + 1)
                    #expect(out[y * side + x].bitPattern == ((1 - fy) * top + fy * bottom).bitPattern)
                }
            }
        }
    }

    @Test func theSeriesExponentialIsAccurate() {
        var a = 0.0
        while a <= 8 {
            #expect(abs(Augmentation.exponential(a) / Glibc.exp(a) - 1) < 1e-14, "a = \(a)")
            a += 0.0371
        }
    }

    @Test func theElasticKernelIsKerasGaussian() {
        // Keras at scale 1 on 28×28: α = 2.8, σ = 1.4, a 9-tap kernel (Int(8.4) | 1).
        let (alpha, sigma, kernel) = Augmentation.elasticKernel(strength: 1, height: 28, width: 28)
        #expect(abs(alpha - 2.8) < 1e-12 && abs(sigma - 1.4) < 1e-12 && kernel.count == 9)
        let raw = (0..<9).map { Glibc.exp(-0.5 * pow(Double($0 - 4) / 1.4, 2)) }
        let total = raw.reduce(0, +)
        for j in 0..<9 {
            #expect(abs(Double(kernel[j]) - raw[j] / total) < 1e-7)
            #expect(kernel[j] == kernel[8 - j])
        }
        // Weak strengths: σ below 1/6 leaves one tap, the noise itself.
        #expect(Augmentation.elasticKernel(strength: 0.1, height: 28, width: 28).kernel == [1])
    }

    static func field(strength: Double, seed: UInt64, side: Int = 28) -> [Float] {
        var field = [Float](repeating: .nan, count: 3 * side * side)
        field.withUnsafeMutableBufferPointer {
            Augmentation.elasticField(height: side, width: side, strength: strength, seed: seed, into: $0.baseAddress!)
        }
        return Array(field[0..<(2 * side * side)])
    }

    @Test func elasticFieldsAreSeededBoundedAndAsStrongAsKerasSays() {
        #expect(Self.field(strength: 1, seed: 4).map(\.bitPattern) == Self.field(strength: 1, seed: 4).map(\.bitPattern))
        #expect(Self.field(strength: 1, seed: 4) != Self.field(strength: 1, seed: 5))
        let (alpha, sigma, kernel) = Augmentation.elasticKernel(strength: 1, height: 28, width: 28)
        // Uniform noise in ±√3, smoothed by weights that sum to 1: |δ| ≤ α·σ·√3.
        let bound = Float(alpha * sigma * 3.0.squareRoot()) * 1.0001
        // Away from the zero-padded border, δ has variance (α·σ)²·(Σ g²)² (unit noise, separable kernel).
        let squares = kernel.map { Double($0) * Double($0) }.reduce(0, +)
        let expected = alpha * sigma * squares
        var sum = 0.0
        var sumOfSquares = 0.0
        var count = 0
        for seed in 0..<300 {
            let field = Self.field(strength: 1, seed: UInt64(seed))
            #expect(field.allSatisfy { abs($0) <= bound })
            for axis in 0..<2 {
                for y in 4..<24 {
                    for x in 4..<24 {
                        let d = Double(field[axis * 784 + y * 28 + x])
                        sum += d
                        sumOfSquares += d * d
                        count += 1
                    }
                }
            }
        }
        let mean = sum / Double(count)
        let deviation = (sumOfSquares / Double(count) - mean * mean).squareRoot()
        #expect(abs(mean) < 0.02, "mean \(mean)")
        #expect(abs(deviation / expected - 1) < 0.05, "deviation \(deviation), expected \(expected) (about 0.79 pixels)")
        // The field moves the pixels: the warp reads the input displaced by δ.
        let transform = Augmentation.Transform(ty: 0, tx: 0, angle: 0, scale: 1, elastic: 1, fieldSeed: 4)
        let ramp: [Float] = (0..<784).map { Float($0 % 28) }  // value = x
        let out = Self.warpSquare(ramp, side: 28, transform)
        let field = Self.field(strength: 1, seed: 4)
        for y in 0..<28 {
            for x in 0..<28 {
                let sx = Double(x) + Double(field[y * 28 + x])
                let sy = Double(y) + Double(field[784 + y * 28 + x])
                guard sx >= 0, sx <= 26, sy >= 0, sy <= 26 else { continue }
                #expect(abs(Double(out[y * 28 + x]) - sx) < 1e-4, "(\(y), \(x))")
            }
        }
    }

    @Test func newTransformsStayInTheirRanges() {
        let augmentation = Augmentation(shearX: 0.3, shearY: 0.1, elastic: 0.5)
        var seeds = Set<UInt64>()
        for row in 0..<200 {
            let t = augmentation.transform(seed: 1, step: 3, row: row, height: 28, width: 28)
            #expect(abs(t.shearX) <= 0.3 && abs(t.shearY) <= 0.1 && t.elastic >= 0 && t.elastic <= 0.5)
            seeds.insert(t.fieldSeed)
        }
        #expect(seeds.count == 200)
        // The first four draws are those of before: the new factors do not move them.
        let old = Augmentation().transform(seed: 1, step: 3, row: 5, height: 28, width: 28)
        let new = augmentation.transform(seed: 1, step: 3, row: 5, height: 28, width: 28)
        #expect(old.ty == new.ty && old.tx == new.tx && old.angle == new.angle && old.scale == new.scale)
    }

    @Test(arguments: [
        (Augmentation(translation: 1), "Received: translation=1.0"),
        (Augmentation(rotation: -0.1), "Received: rotation=-0.1"),
        (Augmentation(zoom: 1.5), "Received: zoom=1.5"),
        (Augmentation(widthZoom: 1), "Received: widthZoom=1.0"),
        (Augmentation(shearX: 1.5), "Received: shearX=1.5"),
        (Augmentation(shearY: -0.2), "Received: shearY=-0.2"),
        (Augmentation(elastic: .nan), "Received: elastic=nan"),
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

    @Test(arguments: [
        Augmentation(), Augmentation(widthZoom: 0.2, shearX: 0.3, shearY: 0.1, elastic: 1),
    ])
    func augmentedFitsMatchTheReferenceAtAnyThreadCount(_ augmentation: Augmentation) throws {
        let examples = try ConvolutionTests.images(count: 240, seed: 21)
        let configuration = FitConfiguration(epochs: 2, batchSize: 16, seed: 5, augmentation: augmentation)
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
