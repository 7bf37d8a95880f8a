@_exported import struct MitosisSupport.SplitMix64
