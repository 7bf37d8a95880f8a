import Testing

@Test func MitosisCLITestsBuilds() { #expect(Bool(true)) }
