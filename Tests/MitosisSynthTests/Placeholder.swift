import Testing

@Test func MitosisSynthTestsBuilds() { #expect(Bool(true)) }
