import Testing

@Test func MitosisCaffeTestsBuilds() { #expect(Bool(true)) }
