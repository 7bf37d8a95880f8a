import Testing

@Test func MitosisNNTestsBuilds() { #expect(Bool(true)) }
