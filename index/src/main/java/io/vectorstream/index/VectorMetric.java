package io.vectorstream.index;

/**
 * How two vectors are compared. Every metric is expressed as a <em>distance</em>: lower is closer.
 * <ul>
 *   <li>{@link #L2}: squared Euclidean distance.</li>
 *   <li>{@link #INNER_PRODUCT}: {@code -dot(a, b)} (maximum inner product search).</li>
 *   <li>{@link #COSINE}: {@code 1 - cos(a, b)}; vectors are normalised on the way in, so a zero vector is
 *       rejected.</li>
 * </ul>
 *
 * <p>Saved indexes store a metric by its {@link #code()}, never by {@code ordinal()}: the codes are frozen (they
 * equal the ordinals that format version 1 wrote), so constants may be reordered or added without changing how
 * existing files read. Thread-safe (immutable).
 */
public enum VectorMetric {
    /** Squared Euclidean distance. Code 0. */
    L2(0),
    /** {@code -dot(a, b)}. Code 1. */
    INNER_PRODUCT(1),
    /** {@code 1 - cos(a, b)}, on vectors normalised on the way in. Code 2. */
    COSINE(2);

    private final int code;

    VectorMetric(int code) {
        this.code = code;
    }

    /** The stable code this metric is persisted as. Frozen: never change or reuse one. */
    public int code() {
        return code;
    }

    /**
     * The metric persisted as {@code code}.
     *
     * @throws IllegalArgumentException for a code no metric has, naming the known ones
     */
    public static VectorMetric fromCode(int code) {
        for (VectorMetric m : values()) {
            if (m.code == code) {
                return m;
            }
        }
        throw new IllegalArgumentException("metric code must be one of [0 (L2), 1 (INNER_PRODUCT), 2 (COSINE)]; "
                + "code=" + code);
    }

    /** Parses {@code l2}, {@code ip}/{@code inner_product}/{@code dot}, or {@code cosine}, ignoring case. */
    public static VectorMetric parse(String name) {
        if (name != null) {
            switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "l2": case "euclidean": return L2;
                case "ip": case "inner_product": case "dot": return INNER_PRODUCT;
                case "cosine": case "cos": return COSINE;
                default: break;
            }
        }
        throw new IllegalArgumentException("metric must be one of [l2, ip, cosine]; metric=" + name);
    }
}
