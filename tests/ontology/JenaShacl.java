// Jena SHACL (Debian libapache-jena-java, Jena 4.5) over many data files in one JVM, for tests/ontology:
// prints "FILE<TAB>SHAPE<TAB>FOCUS" per result ("_" for a blank node), then "FILE<TAB>conforms|violations".
// Run as a single-file program: java -cp CLASSPATH JenaShacl.java SHAPES.ttl DATA...
import org.apache.jena.graph.Graph;
import org.apache.jena.graph.Node;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;
import org.apache.jena.shacl.validation.ReportEntry;

public class JenaShacl {
    public static void main(String[] args) {
        Shapes shapes = Shapes.parse(RDFDataMgr.loadGraph(args[0]));
        for (int i = 1; i < args.length; i++) {
            ValidationReport report = ShaclValidator.get().validate(shapes, RDFDataMgr.loadGraph(args[i]));
            for (ReportEntry e : report.getEntries()) {
                System.out.println(args[i] + "\t" + show(e.source()) + "\t" + show(e.focusNode()));
            }
            System.out.println(args[i] + "\t" + (report.conforms() ? "conforms" : "violations"));
        }
    }

    private static String show(Node n) {
        return n.isURI() ? n.getURI() : "_";
    }
}
