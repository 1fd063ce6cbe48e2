package org.sparkspu.engine.mpc;

import org.sparkspu.engine.mpc.aby3.Aby3;
import org.sparkspu.engine.mpc.ref2k.Ref2k;
import org.sparkspu.engine.mpc.semi2k.Semi2k;
import org.sparkspu.engine.mpc.semi2k.Semi2kDealer;

/** Creates a protocol by name; creation runs the protocol's seed setup over the link. */
public final class Protocols {
  private Protocols() {}

  public static Protocol create(String name, ProtocolContext ctx) {
    return switch (name) {
      case "ref2k" -> new Ref2k(ctx);
      case "semi2k" -> new Semi2k(ctx);
      case "aby3" -> new Aby3(ctx);
      default -> throw new IllegalArgumentException("unknown protocol '" + name + "': use ref2k, semi2k or aby3");
    };
  }

  /** Runs the semi2k trusted-third-party dealer on its endpoint until the parties close. */
  public static void serveDealer(ProtocolContext ctx) {
    new Semi2kDealer(ctx).serve();
  }
}
