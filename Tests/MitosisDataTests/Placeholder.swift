import Testing

@Test func MitosisDataTestsBuilds() { #expect(Bool(true)) }
