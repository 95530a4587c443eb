import Testing
@testable import Language

@Test func languageBuilds() {}
