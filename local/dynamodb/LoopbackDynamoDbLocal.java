// DynamoDB Local has no option for the address it listens on: its DynamoDBProxyServer builds Jetty's
// `new Server(port)`, whose connector binds every interface. This launcher builds the same server the
// jar's own main does (ServerRunner.createServerFromCommandLineArgs, with the same command line), sets
// the host of its connectors before they open, then starts it. engine.ts compiles it once into the
// user's cache (compiledLauncherDir) and falls back to running it as a single-file program
// (`java -cp DynamoDBLocal.jar LoopbackDynamoDbLocal.java ...`); it uses reflection only, so it compiles
// without the jar's classes.
import java.lang.reflect.Field;

public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    String host = System.getProperty("orderloop.dynamodb.host", "127.0.0.1");
    Class<?> runner = Class.forName("software.amazon.dynamodb.services.local.main.ServerRunner");
    Object proxy = runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) args);
    Field field = proxy.getClass().getDeclaredField("server");
    field.setAccessible(true);
    Object server = field.get(proxy);
    Object[] connectors = (Object[]) server.getClass().getMethod("getConnectors").invoke(server);
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local built no connector to bind");
    for (Object connector : connectors) {
      connector.getClass().getMethod("setHost", String.class).invoke(connector, host);
    }
    try {
      proxy.getClass().getMethod("start").invoke(proxy);
    } catch (Throwable error) {
      // A port another process holds: say so and exit, rather than linger with the server's threads.
      Throwable cause = error;
      while (cause.getCause() != null) cause = cause.getCause();
      System.err.println("orderloop: DynamoDB Local failed to bind: " + cause);
      System.exit(1);
    }
    // Tell the parent that this process holds the port: a probe alone could be answered by another
    // engine that took the same port first (the parent picks a free port before this JVM binds it).
    for (Object connector : connectors) {
      Object port = connector.getClass().getMethod("getLocalPort").invoke(connector);
      System.out.println("orderloop: DynamoDB Local listening on " + host + ":" + port);
    }
    System.out.flush();
    // The parent holds this process's stdin open for as long as it lives: when it is gone, however it
    // ended (a SIGKILL runs no exit hook), stdin closes and the engine stops too, as no orphan serves on.
    if (Boolean.getBoolean("orderloop.dynamodb.exitWithParent")) {
      Thread watchdog =
          new Thread(
              () -> {
                try {
                  while (System.in.read() != -1) {}
                } catch (java.io.IOException closed) {
                  // the same as end of input
                }
                System.exit(0);
              },
              "orderloop-parent-watchdog");
      watchdog.setDaemon(true);
      watchdog.start();
    }
  }
}
