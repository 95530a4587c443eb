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
        let set = Fixture.imageSet(count: 200, rows: 4, cols: 4)
        guard case .standardize(let mean, let std) = InputScaling.standardizing(set.pixels, width: 16) else {
            Issue.record("expected .standardize")
            return
        }
        // (x − mean) / std per feature, as the engine applies it batch by batch.
        let features = set.pixels.enumerated().map { (Float($1) - mean[$0 % 16]) / std[$0 % 16] }
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
