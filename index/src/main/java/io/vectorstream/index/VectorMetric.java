package io.vectorstream.index;

/**
 * How two vectors are compared. Every metric is expressed as a <em>distance</em>: lower is closer.
 * <ul>
 *   <li>{@link #L2}: squared Euclidean distance.</li>
 *   <li>{@link #INNER_PRODUCT}: {@code -dot(a, b)} (maximum inner product search).</li>
 *   <li>{@link #COSINE}: {@code 1 - cos(a, b)}; vectors are normalised on the way in, so a zero vector is
 *       rejected.</li>
 * </ul>
 */
public enum VectorMetric {
    L2,
    INNER_PRODUCT,
    COSINE;

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
