import Testing

@Test func MitosisImageTestsBuilds() { #expect(Bool(true)) }
