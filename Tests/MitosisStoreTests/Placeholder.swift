import Testing

@Test func MitosisStoreTestsBuilds() { #expect(Bool(true)) }
