namespace ControlPlane.Ambient.Collections;

/// <summary>Orleans wire form of <see cref="StringMap"/>.</summary>
[GenerateSerializer]
public struct StringMapSurrogate
{
    [Id(0)]
    public KeyValuePair<string, string>[]? Entries;
}

/// <summary>Lets grains exchange records holding <see cref="StringMap"/>s.</summary>
[RegisterConverter]
public sealed class StringMapConverter : IConverter<StringMap, StringMapSurrogate>
{
    public StringMap ConvertFromSurrogate(in StringMapSurrogate surrogate) =>
        surrogate.Entries is null ? StringMap.Empty : new StringMap(surrogate.Entries);

    public StringMapSurrogate ConvertToSurrogate(in StringMap value) => new() { Entries = [.. value] };
}

/// <summary>Orleans wire form of <see cref="ValueList{T}"/>.</summary>
[GenerateSerializer]
public struct ValueListSurrogate<T>
{
    [Id(0)]
    public T[]? Items;
}

/// <summary>Lets grains exchange records holding <see cref="ValueList{T}"/>s.</summary>
[RegisterConverter]
public sealed class ValueListConverter<T> : IConverter<ValueList<T>, ValueListSurrogate<T>>
{
    public ValueList<T> ConvertFromSurrogate(in ValueListSurrogate<T> surrogate) =>
        surrogate.Items is null ? ValueList<T>.Empty : new ValueList<T>(surrogate.Items);

    public ValueListSurrogate<T> ConvertToSurrogate(in ValueList<T> value) => new() { Items = [.. value] };
}
