import Testing

@Test func MitosisPipelineTestsBuilds() { #expect(Bool(true)) }
