import Testing

@testable import Engine

@Suite struct InputScalingTests {
    @Test func standardizingComputesPopulationStatistics() {
        // Feature 0 takes 0, 2, 4: mean 2, std sqrt(8/3). Feature 1 is always 10: std 1.
        let pixels: [UInt8] = [0, 10, 2, 10, 4, 10]
        let normalization = InputScaling.standardizing(pixels, width: 2)
        guard case .standardize(let mean, let std) = normalization else {
            Issue.record("expected .standardize")
            return
        }
        #expect(mean == [2, 10])
        #expect(abs(std[0] - Float((8.0 / 3.0).squareRoot())) < 1e-6)
        #expect(std[1] == 1)

    }

    @Test func standardizedFeaturesHaveZeroMeanAndUnitVariance() {
        // 200 images of 4x4 pixels, each feature taking many values.
        let pixels: [UInt8] = (0..<3200).map { (index: Int) -> UInt8 in UInt8((7 * (index / 16) + index % 16) % 256) }
        guard case .standardize(let mean, let std) = InputScaling.standardizing(pixels, width: 16) else {
            Issue.record("expected .standardize")
            return
        }
        // (x − mean) / std per feature, as the engine applies it batch by batch.
        let features: [Float] = pixels.enumerated().map { index, pixel in
            (Float(pixel) - mean[index % 16]) / std[index % 16]
        }
        for j in 0..<16 {
            let column = stride(from: j, to: features.count, by: 16).map { Double(features[$0]) }
            let mean = column.reduce(0, +) / Double(column.count)
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(column.count)
            #expect(abs(mean) < 1e-5)
            #expect(abs(variance - 1) < 1e-4)
        }
    }

    @Test func standardizingNoImagesIsTheIdentityStatistics() {
        #expect(InputScaling.standardizing([], width: 3) == .standardize(mean: [0, 0, 0], std: [1, 1, 1]))
    }
}
