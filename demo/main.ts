/**
 * The README example, runnable: R code, inside the sandbox, asks the host for rows of a
 * table through the `query_db` tool and computes on them, then draws a plot, which comes
 * back as a PNG and is written to `demo/mtcars.png` (the picture in the README).
 *
 * Run: `npm run demo` (or `deno task demo`).
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import { SecureSession } from "@securer/securer";
import { query_db } from "./query_db.ts";

await using session = await SecureSession.create({ tools: [query_db], sandbox: true });
const { backend, capabilities } = session.info();
console.log(`R runs in the "${backend}" sandbox:`, capabilities);

const code = `
d <- query_db("mtcars", 32)
fit <- lm(mpg ~ wt + hp, data = d)
cat("rows:", nrow(d), "\\n")
print(round(coef(fit), 3))
mean(d$mpg)
`;
const r = await session.execute(code);
console.log("\nvalue:", r.value);
console.log("output:");
for (const line of r.output) console.log(`  ${line}`);

const iris = await session.execute(
  'x <- query_db("iris", 150)\naggregate(Sepal.Length ~ Species, data = x, FUN = mean)',
);
console.log("\nmean sepal length by species:", iris.value);

const plot = await session.execute(`
d <- query_db("mtcars", 32)
plot(d$wt, d$mpg, pch = 19, col = "steelblue", xlab = "weight (1000 lbs)", ylab = "miles per gallon",
  main = "mtcars: heavier cars go less far")
abline(lm(mpg ~ wt, data = d), col = "firebrick", lwd = 2)
`);
const [image] = plot.images;
const file = new URL("./mtcars.png", import.meta.url);
writeFileSync(file, image.data);
console.log(
  `\nthe plot came back as ${image.mimeType}, ${image.width} × ${image.height} px, ` +
    `${image.data.length} bytes: written to demo/mtcars.png`,
);

try {
  await session.execute('readLines("/etc/passwd")');
} catch (e) {
  console.log(`\nreading /etc/passwd from R fails inside the sandbox: ${(e as Error).message}`);
}
