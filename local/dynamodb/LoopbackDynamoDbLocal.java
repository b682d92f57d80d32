// DynamoDB Local has no option for the address it listens on: its DynamoDBProxyServer builds Jetty's
// `new Server(port)`, whose connector binds every interface. This launcher builds the same server the
// jar's own main does (ServerRunner.createServerFromCommandLineArgs, with the same command line), sets
// the host of its connectors before they open, then starts it. Java runs it as a single-file program
// (`java -cp DynamoDBLocal.jar LoopbackDynamoDbLocal.java ...`), so there is no build step; it uses
// reflection only, so it compiles without the jar's classes.
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
    proxy.getClass().getMethod("start").invoke(proxy);
  }
}
