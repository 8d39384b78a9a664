/** Prints a file: run with a narrow --allow-read to see what Deno lets through. */
console.log(await Deno.readTextFile(Deno.args[0]));
