extension Tensor: Codable {
    enum CodingKeys: String, CodingKey { case shape, data }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let shape = try container.decode([Int].self, forKey: .shape)
        let data = try container.decode([Float].self, forKey: .data)
        guard data.count == shape.reduce(1, *) else {
            throw DecodingError.dataCorruptedError(forKey: .data, in: container,
                                                   debugDescription: "\(data.count) values for shape \(shape)")
        }
        self.init(shape: shape, data: data)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(shape, forKey: .shape)
        try container.encode(data, forKey: .data)
    }
}
