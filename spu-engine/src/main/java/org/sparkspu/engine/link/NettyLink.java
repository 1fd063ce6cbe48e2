package org.sparkspu.engine.link;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A {@link Link} over TCP (optionally mutual TLS) with Netty: one connection per pair of endpoints,
 * frames as described in {@link Wire}. Create one with {@link NettyNetwork#open} or
 * {@link NettyNetwork#bind}.
 *
 * <h2>Connecting</h2>
 * Every endpoint listens on its own address; endpoint i dials every endpoint j &gt; i, retrying
 * with backoff (20 ms doubling to 500 ms) until the link's timeout, and accepts the dials of the
 * endpoints below it. Each connection starts with a handshake naming the session id and both
 * endpoint ids; either side rejects a wrong session, a wrong endpoint id, a duplicate, and, with
 * TLS, a certificate whose subject CN is not {@code party-<id>} of the endpoint the peer claims.
 * Once every peer is connected the listening socket is closed, so no stranger can connect later.
 *
 * <h2>What a user sees when things go wrong</h2>
 * Every error is a {@link LinkException} whose message names this party and the peer with its
 * address; no share values or payload bytes ever appear in a message.
 * <ul>
 *   <li>A peer that never comes up: connecting fails after the timeout with a
 *       {@link PeerTimeoutException} ("party 0 could not connect to party 2 (10.0.0.3:7003) within
 *       30000 ms (last attempt: Connection refused)", or, on the listening side, "party 2 waited
 *       30000 ms for party 0 (...) to connect, and it never did").</li>
 *   <li>A handshake that does not match (another session, another endpoint list, a certificate
 *       not trusted or naming another party, or bytes that are not a handshake at all): connecting
 *       fails at once on the side that noticed, naming the remote address and the reason ("party 1
 *       rejected a connection from 10.0.0.1:51234 claiming to be party 0: the dialler runs session
 *       'a' but party 1 runs session 'b'"); the other side gets the reason in a REJECT frame or a
 *       TLS alert and fails too.</li>
 *   <li>A peer that dies, closes or is killed mid-protocol, or whose connection breaks (reset): the
 *       messages it sent before are still delivered in order; the receive after them, and any
 *       receive already waiting, fails at once with {@link PeerClosedException} ("party 0: the
 *       connection to party 1 (10.0.0.2:7002) closed (the peer failed, stopped or its process
 *       died)"); sending to it fails with {@link PeerClosedException} too. Failures cascade: a
 *       party that stops because its peer died closes its own links, so a third party may name
 *       the party that stopped rather than the one that died first.</li>
 *   <li>A peer that sends garbage after the handshake (a length over the frame limit, an unknown
 *       frame kind, a header that does not add up): the connection is closed and receives from
 *       that peer fail with a {@link LinkException} saying it sent a malformed frame.</li>
 *   <li>A peer that is alive but silent: the receive fails after the timeout with
 *       {@link PeerTimeoutException}.</li>
 * </ul>
 *
 * <h2>Resources</h2>
 * Each link owns a small event loop group (epoll when available, else NIO) with daemon threads
 * named {@code spu-netty-party-<id>-...} and uses the pooled allocator for frames. {@link #close()}
 * waits (bounded) until queued messages are written, half-closes every connection so the peers
 * read everything and then see the close, and shuts the event loops down before returning.
 */
public final class NettyLink extends AbstractLink {
  private static final long FIRST_BACKOFF_MS = 20;
  private static final long MAX_BACKOFF_MS = 500;
  private static final long MAX_CONNECT_ATTEMPT_MS = 3000;
  private static final long CLOSE_WAIT_MS = 5000;
  private static final PooledByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;
  /** Read buffers grow up to 1 MiB, so a large tensor arrives in few reads. */
  private static final AdaptiveRecvByteBufAllocator READS = new AdaptiveRecvByteBufAllocator(64, 16 * 1024, 1 << 20);

  private final String sessionId;
  private final NettyOptions options;
  private final SslContext serverTls;
  private final SslContext clientTls;
  private final boolean epoll;
  private final EventLoopGroup group;
  private final Channel server;
  private final Peer[] peers;
  private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
  /** Completed (normally, with the error) by the first fatal problem while connecting. */
  private final CompletableFuture<LinkException> setupFailure = new CompletableFuture<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object writeLock = new Object();
  private int pendingWrites; // guarded by writeLock
  private volatile List<InetSocketAddress> addresses; // set by connect

  /** Binds the listening socket; {@link #connect} then links to the peers. */
  NettyLink(int self, int endpoints, String sessionId, InetSocketAddress listenOn, Duration timeout,
      NettyOptions options) {
    super(self, endpoints, timeout);
    if (sessionId == null || sessionId.isEmpty()) throw new IllegalArgumentException("session id must not be empty");
    if (sessionId.getBytes(StandardCharsets.UTF_8).length > Wire.MAX_SESSION_ID_BYTES) {
      throw new IllegalArgumentException("session id longer than " + Wire.MAX_SESSION_ID_BYTES + " bytes");
    }
    this.sessionId = sessionId;
    this.options = options;
    if (options.tlsEnabled()) {
      NettyOptions.Tls t = options.tls();
      try {
        serverTls = SslContextBuilder.forServer(t.certificateChain().toFile(), t.privateKey().toFile())
            .trustManager(t.trustedCertificates().toFile()).clientAuth(ClientAuth.REQUIRE).sslProvider(SslProvider.JDK)
            .build();
        // Netty 4.2 verifies host names by default; identity is the certificate's CN instead (see Tls).
        clientTls = SslContextBuilder.forClient().keyManager(t.certificateChain().toFile(), t.privateKey().toFile())
            .trustManager(t.trustedCertificates().toFile()).sslProvider(SslProvider.JDK)
            .endpointIdentificationAlgorithm(null).build();
      } catch (SSLException | IllegalArgumentException e) {
        throw new LinkException(-1, "party " + self + " cannot load its TLS files (certificate " + t.certificateChain()
            + ", key " + t.privateKey() + ", trusted " + t.trustedCertificates() + "): " + e.getMessage(), e);
      }
    } else {
      serverTls = null;
      clientTls = null;
    }
    this.peers = new Peer[endpoints];
    for (int p = 0; p < endpoints; p++) peers[p] = new Peer();
    this.epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group = new MultiThreadIoEventLoopGroup(Math.max(1, Math.min(endpoints - 1, 4)),
        new DefaultThreadFactory("spu-netty-party-" + self, true), io);
    Class<? extends ServerChannel> serverType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    ChannelFuture bound = new ServerBootstrap().group(group).channel(serverType)
        .option(ChannelOption.SO_REUSEADDR, true).option(ChannelOption.ALLOCATOR, ALLOCATOR)
        .childOption(ChannelOption.ALLOCATOR, ALLOCATOR).childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.RECVBUF_ALLOCATOR, READS)
        .childHandler(initializer(true, -1, null)).bind(listenOn).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(CLOSE_WAIT_MS);
      throw new LinkException(-1, "party " + self + " cannot listen on " + hostPort(listenOn) + ": "
          + message(bound.cause()), bound.cause());
    }
    this.server = bound.channel();
  }

  /** The port this endpoint listens on (useful after binding port 0). */
  public int localPort() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** "epoll" or "nio": the transport in use. */
  public String transport() {
    return epoll ? "epoll" : "nio";
  }

  public String sessionId() {
    return sessionId;
  }

  /**
   * Links to every peer: dials the higher endpoint ids, waits for the lower ones, and returns once
   * every handshake has succeeded. Fails with a LinkException naming the peer when one does not
   * come up within the timeout or a handshake is rejected; the link is then closed.
   */
  NettyLink connect(List<InetSocketAddress> endpointAddresses) {
    if (endpointAddresses.size() != endpoints) {
      throw new IllegalArgumentException("party " + self + ": " + endpointAddresses.size() + " addresses given for "
          + endpoints + " endpoints");
    }
    synchronized (this) {
      if (addresses != null) throw new IllegalStateException("party " + self + " is already connected");
      addresses = List.copyOf(endpointAddresses);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      for (int p = self + 1; p < endpoints; p++) dial(p, deadline, FIRST_BACKOFF_MS);
      for (int p = 0; p < endpoints; p++) {
        if (p != self) awaitPeer(p, deadline);
      }
      LinkException failed = setupFailure.getNow(null);
      if (failed != null) throw failed;
      server.close(); // every peer is here: nobody else may connect
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void awaitPeer(int p, long deadline) {
    try {
      CompletableFuture.anyOf(peers[p].channel, setupFailure)
          .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // reported below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LinkException(p, "party " + self + " was interrupted while connecting to " + describe(p), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e); // neither future completes exceptionally
    }
    LinkException failed = setupFailure.getNow(null);
    if (failed != null) throw failed;
    if (!peers[p].channel.isDone()) throw notConnected(p);
  }

  private PeerTimeoutException notConnected(int p) {
    long ms = timeout.toMillis();
    if (p > self) {
      Throwable last = peers[p].lastDialError;
      return new PeerTimeoutException(p, "party " + self + " could not connect to " + describe(p) + " within " + ms
          + " ms" + (last == null ? "" : " (last attempt: " + message(last) + ")")
          + ": is it running and listening on that address?");
    }
    return new PeerTimeoutException(p, "party " + self + " waited " + ms + " ms for " + describe(p)
        + " to connect, and it never did: is it running, and can it reach " + hostPort(addresses.get(self)) + "?");
  }

  private void dial(int p, long deadline, long backoffMs) {
    if (closed.get() || setupFailure.isDone()) return;
    long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (leftMs <= 0) return;
    Class<? extends Channel> type = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    ChannelFuture f;
    try {
      f = new Bootstrap().group(group).channel(type).option(ChannelOption.ALLOCATOR, ALLOCATOR)
          .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.RECVBUF_ALLOCATOR, READS)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(leftMs, MAX_CONNECT_ATTEMPT_MS))
          .handler(initializer(false, p, addresses.get(p))).connect(addresses.get(p));
    } catch (RejectedExecutionException e) {
      return; // closing
    }
    f.addListener((ChannelFuture done) -> {
      if (done.isSuccess()) return; // the handshake goes on in PeerHandler
      peers[p].lastDialError = done.cause();
      if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs) < deadline && !closed.get()) {
        try {
          group.schedule(() -> dial(p, deadline, Math.min(2 * backoffMs, MAX_BACKOFF_MS)), backoffMs,
              TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          // closing
        }
      }
    });
  }

  private ChannelInitializer<Channel> initializer(boolean inbound, int peer, InetSocketAddress dialled) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        channels.add(ch);
        ch.closeFuture().addListener(f -> channels.remove(ch));
        if (closed.get()) {
          ch.close();
          return;
        }
        if (inbound ? serverTls != null : clientTls != null) {
          SslHandler tls = inbound ? serverTls.newHandler(ch.alloc())
              : clientTls.newHandler(ch.alloc(), dialled.getHostString(), dialled.getPort());
          tls.setHandshakeTimeoutMillis(Math.max(1, timeout.toMillis()));
          ch.pipeline().addLast("tls", tls);
        }
        Wire.FrameDecoder frames = new Wire.FrameDecoder(options.maxFrameBytes());
        ch.pipeline().addLast("frames", frames).addLast("peer", new PeerHandler(inbound, peer, frames));
      }
    };
  }

  @Override
  public String describe(int endpoint) {
    List<InetSocketAddress> a = addresses;
    return a == null ? "party " + endpoint : "party " + endpoint + " (" + hostPort(a.get(endpoint)) + ")";
  }

  @Override
  protected void transmit(int to, Message message) {
    if (closed.get()) throw new LinkException(to, "party " + self + " sent '" + message.tag() + "' on a closed link");
    Peer p = peers[to];
    Channel ch = p.channel.getNow(null);
    if (ch == null) throw new IllegalStateException("party " + self + " is not connected to " + describe(to));
    if (p.ended.get() || !ch.isActive()) {
      throw new PeerClosedException(to, "party " + self + " cannot send '" + message.tag() + "' to " + describe(to)
          + ": the connection is closed (the peer failed, stopped or its process died)");
    }
    long body = Wire.dataBodyBytes(message);
    if (body > options.maxFrameBytes()) {
      throw new LinkException(to, "party " + self + " cannot send '" + message.tag() + "' to " + describe(to) + ": "
          + body + " bytes exceed the frame limit of " + options.maxFrameBytes() + " bytes (split the tensor)");
    }
    ByteBuf frame = Wire.data(ch.alloc(), message);
    synchronized (writeLock) {
      pendingWrites++;
    }
    Duration latency = options.addedLatency();
    if (latency.isZero()) {
      write(to, ch, frame);
      return;
    }
    try {
      ch.eventLoop().schedule(() -> write(to, ch, frame), latency.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      frame.release();
      writeDone();
      throw new LinkException(to, "party " + self + " cannot send '" + message.tag() + "': the link is closing", e);
    }
  }

  private void write(int to, Channel ch, ByteBuf frame) {
    ch.writeAndFlush(frame).addListener(f -> {
      writeDone();
      if (!f.isSuccess()) {
        peers[to].end(new Inbound.End(true, "party " + self + ": sending to " + describe(to) + " failed ("
            + message(f.cause()) + "); the connection is closed (the peer failed, stopped or its process died)"));
      }
    });
  }

  private void writeDone() {
    synchronized (writeLock) {
      pendingWrites--;
      if (pendingWrites == 0) writeLock.notifyAll();
    }
  }

  @Override
  protected Message take(int from, Duration wait) throws InterruptedException {
    Peer p = peers[from];
    Inbound in = p.inbox.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
    if (in == null) return null;
    if (in instanceof Inbound.End end) {
      p.inbox.add(end); // stays ended for later receives
      if (end.peerClosed()) throw new PeerClosedException(from, end.reason());
      throw new LinkException(from, end.reason());
    }
    return ((Inbound.Data) in).message();
  }

  /**
   * Writes out what was sent, half-closes every connection, waits (bounded) for the peers to close
   * their side, then shuts the event loops down. Idempotent; a receive waiting on this link fails.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    setupFailure.complete(new LinkException(-1, "party " + self + ": the link was closed while connecting"));
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(timeout.toMillis(), CLOSE_WAIT_MS));
    synchronized (writeLock) {
      long left;
      while (pendingWrites > 0 && (left = deadline - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(writeLock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (server != null) server.close();
    for (Channel ch : channels) {
      if (!ch.isActive()) continue;
      SslHandler tls = ch.pipeline().get(SslHandler.class);
      if (tls != null) tls.closeOutbound(); // close_notify: the peer closes on reading it
      else if (ch instanceof DuplexChannel d) d.shutdownOutput(); // FIN after the last frame
      else ch.close();
    }
    for (Channel ch : channels) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !ch.closeFuture().awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(left) + 1)) ch.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(CLOSE_WAIT_MS);
  }

  private static String hostPort(SocketAddress a) {
    if (a instanceof InetSocketAddress i) return i.getHostString() + ":" + i.getPort();
    return String.valueOf(a);
  }

  private static String message(Throwable t) {
    if (t == null) return "unknown error";
    while ((t instanceof DecoderException || t instanceof ExecutionException) && t.getCause() != null) t = t.getCause();
    String m = t.getMessage();
    return m == null || m.isEmpty() ? t.getClass().getSimpleName() : m;
  }

  private static String commonName(X509Certificate c) {
    try {
      for (Rdn rdn : new LdapName(c.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) return String.valueOf(rdn.getValue());
      }
    } catch (InvalidNameException e) {
      return "<unparsable subject>";
    }
    return "<no CN>";
  }

  /** What one peer has delivered: messages, then at most one end. */
  private sealed interface Inbound {
    record Data(Message message) implements Inbound {}

    /** The connection ended: closed by the peer (or its process), or broken by bad bytes. */
    record End(boolean peerClosed, String reason) implements Inbound {}
  }

  private static final class Peer {
    final LinkedBlockingQueue<Inbound> inbox = new LinkedBlockingQueue<>();
    final CompletableFuture<Channel> channel = new CompletableFuture<>();
    final AtomicBoolean claimed = new AtomicBoolean();
    final AtomicBoolean ended = new AtomicBoolean();
    volatile Throwable lastDialError;

    void deliver(Message m) {
      if (!ended.get()) inbox.add(new Inbound.Data(m));
    }

    void end(Inbound.End e) {
      if (ended.compareAndSet(false, true)) inbox.add(e);
    }
  }

  /** Handshake, then frames into the peer's inbox; one per connection, on its event loop. */
  private final class PeerHandler extends ChannelInboundHandlerAdapter {
    private final Wire.FrameDecoder frames;
    private final boolean inbound;
    private int peer; // -1 on an accepted connection until its HELLO names it
    private State state;
    private boolean failed;

    PeerHandler(boolean inbound, int peer, Wire.FrameDecoder frames) {
      this.inbound = inbound;
      this.peer = peer;
      this.frames = frames;
      this.state = inbound ? State.AWAIT_HELLO : State.AWAIT_ANSWER;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      if (!inbound) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls == null) sendHello(ctx);
        else tls.handshakeFuture().addListener(f -> {
          if (f.isSuccess()) sendHello(ctx); // a failure arrives as an exception or event
        });
      }
      ctx.fireChannelActive();
    }

    private void sendHello(ChannelHandlerContext ctx) {
      ctx.writeAndFlush(Wire.hello(ctx.alloc(), new Wire.Hello(sessionId, self, peer)));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (failed) return; // the connection is closing; frames decoded after the failure are dropped
      Wire.Frame f = (Wire.Frame) msg;
      switch (state) {
        case READY -> {
          if (!(f instanceof Wire.Data d)) throw new Wire.MalformedFrameException("a handshake frame after the handshake");
          peers[peer].deliver(d.message());
        }
        case AWAIT_HELLO -> onHello(ctx, f);
        case AWAIT_ANSWER -> onAnswer(ctx, f);
        case AWAIT_READY -> onReady(ctx, f);
      }
    }

    /** Listening side: check the dialler's HELLO, then answer with ours (or REJECT). */
    private void onHello(ChannelHandlerContext ctx, Wire.Frame f) {
      if (!(f instanceof Wire.Hello h)) {
        throw new Wire.MalformedFrameException("a " + f.getClass().getSimpleName().toLowerCase() + " frame instead of a handshake");
      }
      int from = h.from();
      String problem;
      if (!h.sessionId().equals(sessionId)) {
        problem = "the dialler runs session '" + h.sessionId() + "' but party " + self + " runs session '" + sessionId + "'";
      } else if (h.to() != self) {
        problem = "the dialler expected endpoint " + h.to() + " at this address, but this is endpoint " + self
            + " (do all parties list the endpoints in the same order?)";
      } else if (from < 0 || from >= endpoints) {
        problem = "endpoint id " + from + " is not among the " + endpoints + " endpoints of the session";
      } else if (from > self) {
        problem = "endpoint " + from + " must not dial endpoint " + self + " (lower ids dial higher ids)";
      } else {
        problem = certificateProblem(ctx, from);
      }
      if (problem == null && !peers[from].claimed.compareAndSet(false, true)) {
        problem = "endpoint " + from + " is already connected";
      }
      if (problem != null) {
        int claimed = from >= 0 && from < endpoints ? from : -1;
        setupFailure.complete(new LinkException(claimed, "party " + self + " rejected a connection from "
            + hostPort(ctx.channel().remoteAddress()) + (claimed >= 0 ? " claiming to be party " + claimed : "") + ": "
            + problem));
        rejectAndClose(ctx, problem);
        return;
      }
      peer = from;
      state = State.AWAIT_READY;
      ctx.writeAndFlush(Wire.hello(ctx.alloc(), new Wire.Hello(sessionId, self, from)));
    }

    /** Dialling side: the listener answered with its HELLO or a REJECT; check it, then send READY. */
    private void onAnswer(ChannelHandlerContext ctx, Wire.Frame f) {
      String problem;
      boolean rejected = false;
      if (f instanceof Wire.Reject r) {
        problem = r.reason();
        rejected = true;
      } else if (!(f instanceof Wire.Hello h)) {
        throw new Wire.MalformedFrameException("a " + f.getClass().getSimpleName().toLowerCase() + " frame instead of a handshake answer");
      } else if (!h.sessionId().equals(sessionId)) {
        problem = "the listener runs session '" + h.sessionId() + "' but party " + self + " runs session '" + sessionId + "'";
      } else if (h.from() != peer || h.to() != self) {
        problem = "endpoint " + h.from() + " answered at the address of endpoint " + peer
            + " (do all parties list the endpoints in the same order?)";
      } else {
        problem = certificateProblem(ctx, peer);
      }
      if (problem != null) {
        setupFailure.complete(new LinkException(peer, "party " + self + " could not link to " + describe(peer) + ": "
            + (rejected ? problem : "party " + self + " rejected it: " + problem)));
        if (rejected) ctx.close();
        else rejectAndClose(ctx, problem);
        return;
      }
      peers[peer].claimed.set(true);
      ctx.writeAndFlush(Wire.ready(ctx.alloc()));
      becomeReady(ctx);
    }

    /** Listening side: the dialler accepted our HELLO (READY) or refused it (REJECT). */
    private void onReady(ChannelHandlerContext ctx, Wire.Frame f) {
      if (f instanceof Wire.Reject r) {
        setupFailure.complete(new LinkException(peer, "party " + self + " could not link to " + describe(peer) + ": "
            + r.reason()));
        ctx.close();
        return;
      }
      if (!(f instanceof Wire.Ready)) {
        throw new Wire.MalformedFrameException("a " + f.getClass().getSimpleName().toLowerCase() + " frame instead of ready");
      }
      becomeReady(ctx);
    }

    private void becomeReady(ChannelHandlerContext ctx) {
      state = State.READY;
      frames.handshakeDone();
      peers[peer].channel.complete(ctx.channel());
    }

    private void rejectAndClose(ChannelHandlerContext ctx, String problem) {
      ctx.writeAndFlush(Wire.reject(ctx.alloc(), "party " + self + " rejected the connection: " + problem))
          .addListener(ChannelFutureListener.CLOSE);
    }

    /** With TLS: null if the peer's certificate names the endpoint it claims to be, else why not. */
    private String certificateProblem(ChannelHandlerContext ctx, int endpoint) {
      SslHandler tls = ctx.pipeline().get(SslHandler.class);
      if (tls == null) return null;
      Certificate[] chain;
      try {
        chain = tls.engine().getSession().getPeerCertificates();
      } catch (SSLPeerUnverifiedException e) {
        return "party " + endpoint + " presented no TLS certificate";
      }
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return "party " + endpoint + " presented no X.509 certificate";
      }
      String cn = commonName(leaf);
      String want = NettyOptions.Tls.commonNameOf(endpoint);
      return want.equals(cn) ? null : "the TLS certificate presented as party " + endpoint + " is issued to '" + cn
          + "', not '" + want + "' (a certificate binds one party identity)";
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) fail(ctx, e.cause());
      if (evt instanceof SslCloseCompletionEvent) ctx.close(); // the peer's close_notify: it sends no more
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(ctx, cause);
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
      if (failed) return;
      failed = true;
      Throwable c = cause;
      while (c instanceof DecoderException && c.getCause() != null) c = c.getCause();
      String what;
      boolean broken = false; // an I/O error on the connection: the peer's end is gone, as when it closes
      if (c instanceof Wire.MalformedFrameException) {
        what = "it sent a malformed frame (" + c.getMessage() + ")";
      } else if (c instanceof SSLException) {
        what = "TLS failed (" + message(c) + "): both endpoints need certificates signed by a CA the other trusts,"
            + " issued to party-<id>";
      } else if (c instanceof IOException) {
        what = "the connection failed (" + message(c) + ")";
        broken = true;
      } else {
        what = "the connection failed (" + c.getClass().getSimpleName() + ": " + message(c) + ")";
      }
      switch (state) {
        case READY -> peers[peer].end(new Inbound.End(broken, "party " + self + " receiving from " + describe(peer)
            + ": " + what + "; the connection is closed" + (broken ? " (the peer failed, stopped or its process died)" : "")));
        case AWAIT_HELLO -> setupFailure.complete(new LinkException(-1, "party " + self + " rejected a connection from "
            + hostPort(ctx.channel().remoteAddress()) + ": " + what));
        case AWAIT_ANSWER, AWAIT_READY -> setupFailure.complete(new LinkException(peer, "party " + self
            + " could not link to " + describe(peer) + ": " + what));
      }
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      switch (state) {
        case READY -> peers[peer].end(new Inbound.End(true, closed.get()
            ? "party " + self + " closed its own link while expecting a message from " + describe(peer)
            : "party " + self + ": the connection to " + describe(peer)
                + " closed (the peer failed, stopped or its process died)"));
        case AWAIT_ANSWER, AWAIT_READY -> {
          if (!closed.get()) {
            setupFailure.complete(new LinkException(peer, "party " + self + ": " + describe(peer)
                + " closed the connection during the handshake (it rejected this endpoint or failed: see its error)"));
          }
        }
        case AWAIT_HELLO -> {
          // a connection that closed before saying anything (a port probe) is no one's business
        }
      }
      ctx.fireChannelInactive();
    }
  }

  /** Where a connection stands in the three-frame handshake (see {@link Wire}). */
  private enum State {
    AWAIT_HELLO, AWAIT_ANSWER, AWAIT_READY, READY
  }
}
