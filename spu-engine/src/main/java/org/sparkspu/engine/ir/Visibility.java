package org.sparkspu.engine.ir;

/**
 * Who knows a value (SPU's visibility, DESIGN.md section 2): every party (public), one party in
 * plaintext (private), or nobody (secret: it exists only as shares). The lattice is
 * public < private(p) < secret, and private(p) joined with private(q != p) is secret.
 */
public sealed interface Visibility permits Visibility.Public, Visibility.Private, Visibility.Secret {
  Public PUBLIC = new Public();
  Secret SECRET = new Secret();

  static Private of(int party) {
    return new Private(party);
  }

  /** Known to every party. */
  record Public() implements Visibility {
    @Override
    public String toString() {
      return "public";
    }
  }

  /** Known to party {@code party} only. */
  record Private(int party) implements Visibility {
    public Private {
      if (party < 0) throw new IllegalArgumentException("party must be >= 0");
    }

    @Override
    public String toString() {
      return "private(" + party + ")";
    }
  }

  /** Known to nobody; held as shares. */
  record Secret() implements Visibility {
    @Override
    public String toString() {
      return "secret";
    }
  }

  /** The least visibility that may hold a value computed from both: what must be secret is. */
  static Visibility join(Visibility a, Visibility b) {
    if (a instanceof Secret || b instanceof Secret) return SECRET;
    if (a instanceof Public) return b;
    if (b instanceof Public) return a;
    return ((Private) a).party() == ((Private) b).party() ? a : SECRET;
  }

  default boolean isSecret() {
    return this instanceof Secret;
  }

  default boolean isPublic() {
    return this instanceof Public;
  }
}
