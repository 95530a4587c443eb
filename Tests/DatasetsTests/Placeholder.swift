import Testing
@testable import Datasets

@Test func datasetsBuilds() {}
